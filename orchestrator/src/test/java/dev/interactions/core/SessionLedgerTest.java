package dev.interactions.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.OutcomeCode;
import dev.interactions.protocol.RawJson;
import dev.interactions.protocol.ServerMessage;
import dev.interactions.protocol.WhenNoDevice;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The session's decisions, as plain Java: command and ledger in, events or a refusal out. No actor involved. */
class SessionLedgerTest {

  private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  private static final Duration MINUTE = Duration.ofMinutes(1);
  private static final Duration RETENTION = Duration.ofMinutes(10);
  private static final Instant SINCE = NOW.minus(RETENTION);
  private static final RawJson PAYLOAD = RawJson.parse("payload", "{\"tool\":\"deploy\"}");

  private static final SessionLedger.Remembering KEEP = new SessionLedger.Remembering(10, RETENTION, false);

  private final SessionLedger ledger = new SessionLedger();
  private long sequenceNr;

  @Test
  void aNewRequestIsRecordedWithItsDeadline() {
    SessionLedger.Record record =
        assertInstanceOf(
            SessionLedger.Record.class,
            ledger.decideRequest("s", "i1", InteractionRequest.of("approve", PAYLOAD), MINUTE, WhenNoDevice.GRACE, 10, NOW, SINCE));

    assertEquals(new SessionEvent.Requested("i1", "approve", PAYLOAD, NOW, NOW.plus(MINUTE), null), record.event());
    assertTrue(ledger.pending().isEmpty(), "deciding changes nothing: only the event handler does");
  }

  @Test
  void anExistingIdIsRefusedPendingOrRemembered() {
    record("i1");
    assertEquals(Refusal.DUPLICATE_ID, refusal(ledger.decideRequest("s", "i1", request(), MINUTE, WhenNoDevice.GRACE, 10, NOW, SINCE)));

    apply(ledger.decideClose("i1", InteractionOutcome.Cancelled.INSTANCE, NOW).orElseThrow());
    assertEquals(Refusal.DUPLICATE_ID, refusal(ledger.decideRequest("s", "i1", request(), MINUTE, WhenNoDevice.GRACE, 10, NOW, SINCE)));
  }

  @Test
  void theSessionsPendingBoundRefusesTheNextRequest() {
    record("i1");
    record("i2");

    assertEquals(Refusal.PENDING_LIMIT, refusal(ledger.decideRequest("s", "i3", request(), MINUTE, WhenNoDevice.GRACE, 2, NOW, SINCE)));
  }

  @Test
  void aRepeatedIdempotencyKeyNamesTheInteractionItMadeBeforeAndRecordsNothing() {
    InteractionRequest keyed = request().withIdempotencyKey("k");
    apply(((SessionLedger.Record) ledger.decideRequest("s", "i1", keyed, MINUTE, WhenNoDevice.GRACE, 10, NOW, SINCE)).event());

    assertEquals(new SessionLedger.Repeat("i1"), ledger.decideRequest("s", "i2", keyed, MINUTE, WhenNoDevice.GRACE, 10, NOW, SINCE));
  }

  @Test
  void onlyAPendingInteractionCanBeClosedAndOnlyOnce() {
    record("i1");
    Optional<SessionEvent.Closed> first = ledger.decideClose("i1", InteractionOutcome.Expired.INSTANCE, NOW);
    assertEquals(OutcomeCode.EXPIRED, first.orElseThrow().outcome());
    apply(first.get());

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
      apply(ledger.decideClose("i" + i, InteractionOutcome.Cancelled.INSTANCE, NOW.plusSeconds(i)).orElseThrow(), new SessionLedger.Remembering(2, RETENTION, false));
    }

    assertNull(ledger.remembered("i0", SINCE), "the oldest is forgotten past the bound");
    assertNotNull(ledger.remembered("i1", SINCE));
    assertNotNull(ledger.remembered("i2", SINCE));
  }

  @Test
  void anOutcomePastItsRetentionIsForgottenForEveryReaderAndLeavesWithTheNextEvent() {
    InteractionRequest keyed = request().withIdempotencyKey("k");
    apply(((SessionLedger.Record) ledger.decideRequest("s", "i1", keyed, MINUTE, WhenNoDevice.GRACE, 10, NOW, SINCE)).event());
    apply(ledger.decideClose("i1", InteractionOutcome.Cancelled.INSTANCE, NOW).orElseThrow());
    Instant later = NOW.plus(RETENTION).plusSeconds(1);
    Instant laterSince = later.minus(RETENTION);

    assertNotNull(ledger.remembered("i1", SINCE), "remembered within its retention");
    assertNull(ledger.remembered("i1", laterSince), "past its retention no reader sees it");
    assertTrue(ledger.holdsNothing(laterSince));
    SessionLedger.Record again =
        assertInstanceOf(SessionLedger.Record.class, ledger.decideRequest("s", "i2", keyed, MINUTE, WhenNoDevice.GRACE, 10, later, laterSince));

    apply(again.event());
    assertEquals(new SessionLedger.Repeat("i2"), ledger.decideRequest("s", "i3", keyed, MINUTE, WhenNoDevice.GRACE, 10, later, laterSince));
    assertNull(ledger.newestClosedAt(), "the event of a later time dropped the expired outcome");
  }

  @Test
  void lateAnswersAreToldHowTheInteractionEndedOrThatItIsUnknown() {
    record("i1");
    apply(ledger.decideClose("i1", InteractionOutcome.Expired.INSTANCE, NOW).orElseThrow());

    ServerMessage.Error late = assertInstanceOf(ServerMessage.Error.class, ledger.lateReceipt("s", "i1", "r1", SINCE));
    assertEquals(ErrorCode.ALREADY_CLOSED, late.code());
    assertTrue(late.message().contains("expired"), late.message());
    assertEquals(
        ErrorCode.UNKNOWN_INTERACTION,
        assertInstanceOf(ServerMessage.Error.class, ledger.lateReceipt("s", "never", "r2", SINCE)).code());
  }

  @Test
  void theMemoryStoreKeepsTheWholeOutcome() {
    record("i1");
    SessionEvent.Closed answered =
        ledger.decideClose("i1", new InteractionOutcome.Answered(RawJson.parse("answer", "{\"ok\":true}"), "c1"), NOW)
            .orElseThrow();
    apply(answered);

    assertEquals(new RememberedOutcome.Kept(answered), ledger.remembered("i1", SINCE));
  }

  @Test
  void aDurableSessionRemembersOnlyWhereTheOutcomeIsInItsJournal() {
    InteractionRequest keyed = request().withIdempotencyKey("k");
    SessionLedger.Remembering inJournal = new SessionLedger.Remembering(10, RETENTION, true);
    ledger.apply(((SessionLedger.Record) ledger.decideRequest("s", "i1", keyed, MINUTE, WhenNoDevice.GRACE, 10, NOW, SINCE)).event(), 1, inJournal);
    SessionEvent.Closed answered =
        ledger.decideClose("i1", new InteractionOutcome.Answered(RawJson.parse("answer", "{\"ok\":true}"), "c1"), NOW)
            .orElseThrow();
    ledger.apply(answered, 2, inJournal);

    assertEquals(
        new RememberedOutcome.InJournal("i1", "k", OutcomeCode.ANSWERED, NOW, 2), ledger.remembered("i1", SINCE));
    assertEquals(new SessionLedger.Repeat("i1"), ledger.decideRequest("s", "i2", keyed, MINUTE, WhenNoDevice.GRACE, 10, NOW, SINCE));
    assertEquals(Refusal.DUPLICATE_ID, refusal(ledger.decideRequest("s", "i1", request(), MINUTE, WhenNoDevice.GRACE, 10, NOW, SINCE)));
  }

  @Test
  void aZeroRetentionRemembersNothing() {
    record("i1");
    apply(ledger.decideClose("i1", InteractionOutcome.Cancelled.INSTANCE, NOW).orElseThrow(), new SessionLedger.Remembering(10, Duration.ZERO, false));

    assertNull(ledger.remembered("i1", NOW));
    assertTrue(ledger.holdsNothing(NOW));
  }

  @Test
  void theFirstShownIsRecordedOnceAndStopsTheDeliveryDeadline() {
    DeliveryTerms quickly = new DeliveryTerms(Optional.of(Duration.ofSeconds(10)), Optional.empty(), Optional.empty());
    apply(requested("i1", InteractionRequest.of("approve", PAYLOAD).withDelivery(quickly), WhenNoDevice.WAIT));
    assertEquals(NOW.plusSeconds(10), ledger.pending().get("i1").delivery().deliverBy());

    SessionEvent.Shown shown = ledger.decideShown("i1", "c1", NOW.plusSeconds(1)).orElseThrow();
    apply(shown);

    assertEquals("c1", ledger.pending().get("i1").delivery().shownBy());
    assertEquals(NOW.plusSeconds(1), ledger.pending().get("i1").view().shownAt());
    assertEquals(Optional.empty(), ledger.decideShown("i1", "c2", NOW.plusSeconds(2)), "only the first one");
    assertEquals(Optional.empty(), ledger.decideUndelivered("i1", NOW.plusSeconds(10)), "shown in time");
    assertEquals(Optional.empty(), ledger.decideShown("nope", "c1", NOW));
  }

  @Test
  void anUnshownInteractionIsUndeliveredAndExpiresOnlyAtItsDeadlineAsItStands() {
    apply(requested("i1", InteractionRequest.of("approve", PAYLOAD), WhenNoDevice.WAIT));

    assertEquals(OutcomeCode.UNDELIVERED, ledger.decideUndelivered("i1", NOW).orElseThrow().outcome());
    assertEquals(Optional.empty(), ledger.decideExpire("i1", NOW.plus(MINUTE).minusMillis(1)), "not yet");
    assertEquals(OutcomeCode.EXPIRED, ledger.decideExpire("i1", NOW.plus(MINUTE)).orElseThrow().outcome());
  }

  @Test
  void anExtensionMovesTheDeadlineToAtLeastItsLengthFromNowAndNeverPastTheLatest() {
    DeliveryTerms upToTen = new DeliveryTerms(Optional.empty(), Optional.of(Duration.ofMinutes(10)), Optional.empty());
    apply(requested("i1", InteractionRequest.of("approve", PAYLOAD).withDelivery(upToTen), WhenNoDevice.WAIT));
    apply(requested("fixed", InteractionRequest.of("approve", PAYLOAD), WhenNoDevice.WAIT));

    SessionEvent.Extended fiveMore = ledger.decideExtend("i1", Duration.ofMinutes(5), NOW.plusSeconds(30)).orElseThrow();
    assertEquals(NOW.plusSeconds(30).plus(Duration.ofMinutes(5)), fiveMore.expiresAt());
    apply(fiveMore);
    assertEquals(fiveMore.expiresAt(), ledger.pending().get("i1").expiresAt());
    assertEquals(Optional.empty(), ledger.decideExpire("i1", NOW.plus(MINUTE)), "the first deadline no longer applies");
    assertEquals(Optional.empty(), ledger.decideExtend("i1", MINUTE, NOW.plusSeconds(60)), "already later than that");
    assertEquals(NOW.plus(Duration.ofMinutes(10)), ledger.decideExtend("i1", Duration.ofHours(1), NOW).orElseThrow().expiresAt());
    assertEquals(Optional.empty(), ledger.decideExtend("fixed", MINUTE, NOW.plusSeconds(30)), "no maxTimeout: no extension");
    Instant current = ledger.pending().get("i1").expiresAt();
    Duration toCurrent = Duration.between(NOW, current);
    assertEquals(
        Optional.empty(),
        ledger.decideExtend("i1", toCurrent.plusMillis(999), NOW),
        "less than a second later is not worth a write");
    assertEquals(
        current.plusSeconds(1), ledger.decideExtend("i1", toCurrent.plusSeconds(1), NOW).orElseThrow().expiresAt());
    assertEquals(Optional.empty(), ledger.decideExtend("nope", MINUTE, NOW));
  }

  @Test
  void onlyInteractionsThatDoNotWaitForADeviceEndWhenTheGraceRunsOut() {
    apply(requested("waits", InteractionRequest.of("approve", PAYLOAD), WhenNoDevice.WAIT));
    apply(requested("grace", InteractionRequest.of("approve", PAYLOAD), WhenNoDevice.GRACE));
    apply(requested("fail", InteractionRequest.of("approve", PAYLOAD), WhenNoDevice.FAIL));

    assertEquals(2, ledger.pendingWithGrace());
    assertEquals(
        List.of("grace", "fail"),
        ledger.decideDisconnected(NOW).stream().map(SessionEvent.Closed::interactionId).toList());
  }

  @Test
  void anEventRecordedBeforeDeliveryTermsReadsAsGraceWithoutExtension() {
    SessionEvent.Requested old = new SessionEvent.Requested("i1", "approve", PAYLOAD, NOW, NOW.plus(MINUTE), null);

    assertEquals(WhenNoDevice.GRACE, old.delivery().whenNoDevice());
    assertEquals(old.expiresAt(), old.delivery().latestExpiry());
    assertNull(old.delivery().deliverBy());
  }

  @Test
  void aQuorumCountsDistinctApproversAndItsLastApprovalClosesItWithEveryAnswer() {
    apply(requested("i1", InteractionRequest.of("approve", PAYLOAD).withApprovals(2), WhenNoDevice.WAIT));
    Device alice = Device.connected("c1", "alice", Set.of(), "websocket", null);
    Device alicesLaptop = Device.connected("c2", "alice", Set.of(), "websocket", null);
    Device bob = Device.connected("c3", "bob", Set.of(), "sse", null);
    RawJson yes = RawJson.parse("value", "{\"ok\":1}");
    RawJson alsoYes = RawJson.parse("value", "{\"ok\":2}");

    SessionLedger.Approve first =
        assertInstanceOf(
            SessionLedger.Approve.class, ledger.decideApproval("i1", new InteractionOutcome.Answered(yes, "c1"), alice, NOW));
    assertEquals(1, first.approvals());
    assertEquals(2, first.required());
    apply(first.event());
    assertInstanceOf(
        SessionLedger.AlreadyApproved.class,
        ledger.decideApproval("i1", new InteractionOutcome.Answered(alsoYes, "c2"), alicesLaptop, NOW),
        "the same subject on another device does not count twice");
    SessionEvent.Closed closed =
        assertInstanceOf(
                SessionLedger.Complete.class,
                ledger.decideApproval("i1", new InteractionOutcome.Answered(alsoYes, "c3"), bob, NOW.plusSeconds(1)))
            .event();

    assertEquals(OutcomeCode.ANSWERED, closed.outcome());
    assertEquals("[{\"ok\":1},{\"ok\":2}]", closed.answer().text());
    assertEquals("c3", closed.answeredBy());
    assertEquals(
        List.of("alice", "bob"), closed.audit().approvals().stream().map(dev.interactions.protocol.Audit::subject).toList());
  }

  @Test
  void anApprovalReplayedOverASnapshotThatHeldItAlreadyCountsOnce() {
    apply(requested("i1", InteractionRequest.of("approve", PAYLOAD).withApprovals(3), WhenNoDevice.WAIT));
    Device alice = Device.connected("c1", "alice", Set.of(), "websocket", null);
    SessionLedger.Approve first =
        assertInstanceOf(
            SessionLedger.Approve.class,
            ledger.decideApproval("i1", new InteractionOutcome.Answered(RawJson.parse("v", "1"), "c1"), alice, NOW));

    apply(first.event());
    apply(first.event());

    assertEquals(1, ledger.pending().get("i1").quorum().given().size());
  }

  private SessionEvent.Requested requested(String id, InteractionRequest request, WhenNoDevice whenNoDevice) {
    return assertInstanceOf(
            SessionLedger.Record.class, ledger.decideRequest("s", id, request, MINUTE, whenNoDevice, 10, NOW, SINCE))
        .event();
  }

  private void apply(SessionEvent event) {
    apply(event, KEEP);
  }

  private void apply(SessionEvent event, SessionLedger.Remembering remembering) {
    ledger.apply(event, ++sequenceNr, remembering);
  }

  private void record(String id) {
    apply(((SessionLedger.Record) ledger.decideRequest("s", id, request(), MINUTE, WhenNoDevice.GRACE, 10, NOW, SINCE)).event());
  }

  private static InteractionRequest request() {
    return InteractionRequest.of("approve", PAYLOAD);
  }

  private static Refusal refusal(SessionLedger.RequestDecision decision) {
    return assertInstanceOf(SessionLedger.Refuse.class, decision).refusal().reason();
  }
}
