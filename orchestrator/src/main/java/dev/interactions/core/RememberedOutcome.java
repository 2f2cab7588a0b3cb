package dev.interactions.core;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.interactions.protocol.OutcomeCode;
import java.time.Instant;

/**
 * A closed interaction a session still remembers (see {@link SessionLedger}): enough to recognise it (its id and
 * idempotency key), to tell a late answer how it ended, and to forget it on time. The rest of what a reader is told
 * (what was asked, the answer) is either {@link Kept} with it, with the memory store, or {@link InJournal}: read back
 * from the journal by its sequence number, so that a durable session keeps no outcome in memory, whatever its size.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "at")
@JsonSubTypes({
  @JsonSubTypes.Type(value = RememberedOutcome.Kept.class, name = "memory"),
  @JsonSubTypes.Type(value = RememberedOutcome.InJournal.class, name = "journal")
})
public sealed interface RememberedOutcome extends JournalRecord {

  /** The interaction. */
  String interactionId();

  /** The idempotency key of its request, or null. */
  String idempotencyKey();

  /** How it ended. */
  OutcomeCode outcome();

  /** When it closed: it is remembered for the closed retention from then. */
  Instant closedAt();

  /** The whole closing event, kept in memory: the memory store has no journal to read it from. */
  record Kept(SessionEvent.Closed closed) implements RememberedOutcome {
    @Override
    public String interactionId() {
      return closed.interactionId();
    }

    @Override
    public String idempotencyKey() {
      return closed.idempotencyKey();
    }

    @Override
    public OutcomeCode outcome() {
      return closed.outcome();
    }

    @Override
    public Instant closedAt() {
      return closed.closedAt();
    }
  }

  /** The closing event is the session's journal entry {@code sequenceNr}. */
  record InJournal(
      String interactionId, String idempotencyKey, OutcomeCode outcome, Instant closedAt, long sequenceNr)
      implements RememberedOutcome {}
}
