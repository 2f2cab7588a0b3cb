package dev.interactions.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interactions.protocol.OutcomeCode;
import dev.interactions.protocol.RawJson;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The session's decisions, as plain Java: command and ledger in, events or a refusal out. No actor involved. */
class SessionLedgerTest {

  private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  private static final Duration MINUTE = Duration.ofMinutes(1);
  private static final RawJson PAYLOAD = RawJson.parse("payload", "{\"tool\":\"deploy\"}");

  private final SessionLedger ledger = new SessionLedger();

  @Test
  void aNewRequestIsRecordedWithItsDeadline() {
    SessionLedger.Record record =
        assertInstanceOf(
            SessionLedger.Record.class,
            ledger.decideRequest("s", "i1", InteractionRequest.of("approve", PAYLOAD), MINUTE, 10, NOW));

    assertEquals(new SessionEvent.Requested("i1", "approve", PAYLOAD, NOW, NOW.plus(MINUTE), null), record.event());
    assertTrue(ledger.pending().isEmpty(), "deciding changes nothing: only the event handler does");
  }

  @Test
  void anExistingIdIsRefusedPendingOrRemembered() {
    record("i1");
    assertEquals(Refusal.DUPLICATE_ID, refusal(ledger.decideRequest("s", "i1", request(), MINUTE, 10, NOW)));

    ledger.apply(ledger.decideClose("i1", InteractionOutcome.Cancelled.INSTANCE, NOW).orElseThrow(), 10);
    assertEquals(Refusal.DUPLICATE_ID, refusal(ledger.decideRequest("s", "i1", request(), MINUTE, 10, NOW)));
  }

  @Test
  void theSessionsPendingBoundRefusesTheNextRequest() {
    record("i1");
    record("i2");

    assertEquals(Refusal.PENDING_LIMIT, refusal(ledger.decideRequest("s", "i3", request(), MINUTE, 2, NOW)));
  }

  @Test
  void aRepeatedIdempotencyKeyNamesTheInteractionItMadeBeforeAndRecordsNothing() {
    InteractionRequest keyed = request().withIdempotencyKey("k");
    ledger.apply(((SessionLedger.Record) ledger.decideRequest("s", "i1", keyed, MINUTE, 10, NOW)).event(), 10);

    assertEquals(new SessionLedger.Repeat("i1"), ledger.decideRequest("s", "i2", keyed, MINUTE, 10, NOW));
  }

  @Test
  void onlyAPendingInteractionCanBeClosedAndOnlyOnce() {
    record("i1");
    Optional<SessionEvent.Closed> first = ledger.decideClose("i1", InteractionOutcome.Expired.INSTANCE, NOW);
    assertEquals(OutcomeCode.EXPIRED, first.orElseThrow().outcome());
    ledger.apply(first.get(), 10);

    assertEquals(Optional.empty(), ledger.decideClose("i1", new InteractionOutcome.Rejected("late"), NOW));
    assertEquals(Optional.empty(), ledger.decideClose("never-asked", InteractionOutcome.Cancelled.INSTANCE, NOW));
  }

  @Test
  void closingEverythingClosesEachPendingInteractionOldestFirst() {
    record("i1");
    record("i2");

    List<SessionEvent.Closed> closings = ledger.decideCloseAll(InteractionOutcome.Shutdown.INSTANCE, NOW);

    assertEquals(List.of("i1", "i2"), closings.stream().map(SessionEvent.Closed::interactionId).toList());
    closings.forEach(closing -> assertEquals(OutcomeCode.SHUTDOWN, closing.outcome()));
  }

  @Test
  void rememberedOutcomesAreBoundedOldestForgottenFirst() {
    for (int i = 0; i < 3; i++) {
      record("i" + i);
      ledger.apply(ledger.decideClose("i" + i, InteractionOutcome.Cancelled.INSTANCE, NOW.plusSeconds(i)).orElseThrow(), 2);
    }

    assertEquals(List.of("i1", "i2"), List.copyOf(ledger.closed().keySet()));
  }

  private void record(String id) {
    ledger.apply(((SessionLedger.Record) ledger.decideRequest("s", id, request(), MINUTE, 10, NOW)).event(), 10);
  }

  private static InteractionRequest request() {
    return InteractionRequest.of("approve", PAYLOAD);
  }

  private static Refusal refusal(SessionLedger.RequestDecision decision) {
    return assertInstanceOf(SessionLedger.Refuse.class, decision).refusal().reason();
  }
}
