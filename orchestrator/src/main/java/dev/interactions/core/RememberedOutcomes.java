package dev.interactions.core;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Reads in full the outcomes sessions remember ({@link RememberedOutcome}): at once when one is kept in memory, else
 * from its session's journal by sequence number (one entry, found by its key) through Pekko Persistence Query. One per
 * node, shared by its sessions; it holds nothing per session, and a read is bounded by the ask timeout.
 *
 * <p>Its results are meant for replies sent from wherever the read completes: they touch no session state.
 */
final class RememberedOutcomes {

  private final ActorSystem<?> system;
  /** Absent with the memory store: its sessions keep what they remember. */
  private final Optional<CurrentEventsByPersistenceIdQuery> journal;
  private final Duration timeout;

  private RememberedOutcomes(
      ActorSystem<?> system, Optional<CurrentEventsByPersistenceIdQuery> journal, Duration timeout) {
    this.system = system;
    this.journal = journal;
    this.timeout = timeout;
  }

  /** The reader of {@code system}'s sessions, for the store of {@code settings}. */
  static RememberedOutcomes of(ActorSystem<?> system, OrchestratorSettings settings) {
    return new RememberedOutcomes(
        system,
        settings
            .store()
            .readJournalPluginId()
            .map(id -> PersistenceQuery.get(system).getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, id)),
        settings.askTimeout());
  }

  /** The closing event {@code remembered} stands for, in session {@code sessionId}; fails if it cannot be read. */
  CompletionStage<SessionEvent.Closed> read(String sessionId, RememberedOutcome remembered) {
    if (remembered instanceof RememberedOutcome.Kept kept) {
      return CompletableFuture.completedFuture(kept.closed());
    }
    RememberedOutcome.InJournal entry = (RememberedOutcome.InJournal) remembered;
    if (journal.isEmpty()) {
      return CompletableFuture.failedFuture(new IllegalStateException("this store has no journal to read outcomes from"));
    }
    long sequenceNr = entry.sequenceNr();
    return journal
        .get()
        .currentEventsByPersistenceId(Session.persistenceId(sessionId).id(), sequenceNr, sequenceNr)
        .completionTimeout(timeout)
        .runWith(Sink.headOption(), system)
        .thenApply(
            envelope ->
                envelope
                    .map(EventEnvelope::event)
                    .filter(event -> event instanceof SessionEvent.Closed closed
                        && closed.interactionId().equals(entry.interactionId()))
                    .map(SessionEvent.Closed.class::cast)
                    .orElseThrow(
                        () -> {
                          // Says what is there instead, for the log: it should never happen.
                          String found = envelope.map(e -> e.event().getClass().getSimpleName()).orElse("nothing");
                          IllegalStateException missing =
                              new IllegalStateException(
                                  "journal entry " + sequenceNr + " of session " + sessionId + " should close "
                                      + entry.interactionId() + " but holds " + found);
                          system.log().warn(missing.getMessage());
                          return missing;
                        }));
  }

  /** What a reader of {@code remembered} is told: its status, or that it cannot be read now. */
  CompletionStage<InteractionLookup> status(String sessionId, RememberedOutcome remembered) {
    return read(sessionId, remembered)
        .<InteractionLookup>thenApply(closed -> InteractionStatus.closed(sessionId, closed.view(), closed.toOutcome(), closed.audit()))
        .exceptionally(
            failure -> {
              system.log().warn("could not read interaction {} of session {} back: {}", remembered.interactionId(), sessionId, reason(failure));
              return new UnreadableInteraction(sessionId, remembered.interactionId(), reason(failure));
            });
  }

  /**
   * What a requester following {@code remembered} is told: its outcome, or {@link Suspended} if it cannot be read now
   * (the requester follows it again later).
   */
  CompletionStage<RequestResult> result(String sessionId, RememberedOutcome remembered) {
    return read(sessionId, remembered)
        .<RequestResult>thenApply(SessionEvent.Closed::toOutcome)
        .exceptionally(failure -> new Suspended(sessionId, remembered.interactionId()));
  }

  /** Why a read failed, for a reply: what failed, not its message (a driver's may name hosts or users). */
  private static String reason(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    return "the journal could not be read now (" + cause.getClass().getSimpleName() + "); try again";
  }
}
