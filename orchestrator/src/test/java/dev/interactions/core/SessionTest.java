package dev.interactions.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.OutcomeCode;
import dev.interactions.protocol.RawJson;
import dev.interactions.protocol.ServerMessage;
import dev.interactions.protocol.WhenNoDevice;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The session and interaction actors, driven through the node-local session directory as transports drive them. */
class SessionTest {

  private static final Config CONFIG =
      ConfigFactory.parseString(
              """
              orchestrator.interaction.min-timeout = 1ms
              orchestrator.session.closed-retention = 0s
              """)
          .withFallback(ConfigFactory.load());
  private static final ActorTestKit testKit = ActorTestKit.create("session-test", CONFIG);
  /** Each test's sessions are an entity type of their own, so that each can have its own settings. */
  private static int entityTypes;

  static {
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
  }
  private static final Duration LONG = Duration.ofMinutes(5);
  private static final RawJson PAYLOAD = RawJson.parse("payload", "{\"tool\":\"rm -rf /tmp/x\"}");
  private static final RawJson YES = RawJson.parse("value", "{\"approved\":true}");

  private final Census census = Census.get(testKit.system());
  private SessionDirectory directory = directoryWith("");
  private final Map<String, ActorRef<Attachment.Event>> owners = new HashMap<>();

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  /** Every test must leave no session and no interaction behind. */
  @AfterEach
  void nothingIsLeftBehind() {
    testKit
        .createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(20),
            () -> {
              assertEquals(0, census.sessions(), "live sessions");
              assertEquals(0, census.interactions(), "live interactions");
              return null;
            });
  }

  @Test
  void aLedgerReadBackFromItsSnapshotHoldsOnlyItsRecordAndKeepsWorking() {
    SessionLedger ledger = new SessionLedger();
    java.time.Instant now = java.time.Instant.now();
    InteractionRequest keyed = InteractionRequest.of("approve", PAYLOAD).withIdempotencyKey("k1");
    SessionLedger.Remembering inJournal = new SessionLedger.Remembering(10, LONG, true);
    ledger.apply(((SessionLedger.Record) ledger.decideRequest("s", "i1", keyed, LONG, WhenNoDevice.GRACE, 10, now, now)).event(), 1, inJournal);
    org.apache.pekko.serialization.Serialization serialization =
        org.apache.pekko.serialization.SerializationExtension.get(testKit.system());
    byte[] snapshot = serialization.serialize(ledger).get();

    SessionLedger restored =
        (SessionLedger) serialization.deserialize(snapshot, SessionLedger.class).get();
    assertTrue(
        !new String(snapshot, java.nio.charset.StandardCharsets.UTF_8).contains("idempotencyKeys"),
        "derived state stays out of the snapshot");
    assertEquals(new SessionLedger.Repeat("i1"), restored.decideRequest("s", "i2", keyed, LONG, WhenNoDevice.GRACE, 10, now, now));
    restored.apply(restored.decideClose("i1", InteractionOutcome.Cancelled.INSTANCE, now).orElseThrow(), 2, inJournal);
    assertTrue(restored.pending().isEmpty(), "the pending view follows the restored ledger");

    SessionLedger again =
        (SessionLedger) serialization.deserialize(serialization.serialize(restored).get(), SessionLedger.class).get();
    assertEquals(
        new RememberedOutcome.InJournal("i1", "k1", OutcomeCode.CANCELLED, now, 2), again.remembered("i1", now));
  }

  @Test
  void aRequestRecordedBeforeAnswerersExistedIsReadBackAsAnswerableByAnyone() {
    org.apache.pekko.serialization.Serialization serialization =
        org.apache.pekko.serialization.SerializationExtension.get(testKit.system());
    java.time.Instant at = java.time.Instant.parse("2026-11-29T10:00:00Z");
    SessionEvent.Requested requested =
        new SessionEvent.Requested(
            "i1", "approve", PAYLOAD, at, at.plusSeconds(300), null, null, null, null, Answerers.only(List.of("alice"), List.of()));
    String json = new String(serialization.serialize(requested).get(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(json.contains("\"answerers\":{"), json);
    // The journal's form up to 2026-11-30: no answerers field at all.
    String legacy = json.replaceAll(",\"answerers\":\\{[^}]*\\}", "");

    SessionEvent.Requested read =
        (SessionEvent.Requested)
            serialization
                .deserialize(legacy.getBytes(java.nio.charset.StandardCharsets.UTF_8), SessionEvent.Requested.class)
                .get();

    assertTrue(!legacy.contains("answerers"), legacy);
    assertEquals(Answerers.ANYONE, read.answerers());
  }

  @Test
  void aSnapshotWrittenBeforeOutcomesWereLeftInTheJournalIsReadWithThemKept() {
    // The snapshot format up to 2026-11-29: whole closing events under "closed".
    org.apache.pekko.serialization.Serialization serialization =
        org.apache.pekko.serialization.SerializationExtension.get(testKit.system());
    java.time.Instant at = java.time.Instant.parse("2026-11-29T10:00:00Z");
    SessionEvent.Closed closing =
        SessionEvent.Closed.of(
            new SessionEvent.Requested("i1", "approve", PAYLOAD, at, at.plusSeconds(300), "k1"),
            new InteractionOutcome.Rejected("no"),
            at.plusSeconds(60));
    String legacy =
        "{\"pending\":{},\"closed\":{\"i1\":"
            + new String(serialization.serialize(closing).get(), java.nio.charset.StandardCharsets.UTF_8)
            + "}}";
    SessionLedger restored =
        (SessionLedger)
            serialization
                .deserialize(legacy.getBytes(java.nio.charset.StandardCharsets.UTF_8), SessionLedger.class)
                .get();

    RememberedOutcome.Kept kept =
        assertInstanceOf(
            RememberedOutcome.Kept.class, restored.remembered("i1", at));
    assertEquals(new InteractionOutcome.Rejected("no"), kept.closed().toOutcome());
  }

  @Test
  void answerCompletesTheRequesterAndAcknowledgesTheClient() {
    TestProbe<ServerMessage> connection = attach("s1", "c1");
    TestProbe<RequestResult> requester = testKit.createTestProbe();
    ServerMessage.Interaction pushed = request("s1", "i1", LONG, requester);
    assertEquals(pushed, connection.expectMessageClass(ServerMessage.Interaction.class));

    TestProbe<ServerMessage.Receipt> receipt = respond("s1", "i1", "c1", new InteractionOutcome.Answered(YES, "c1"));

    assertEquals(new ServerMessage.Ack("i1", "tag"), receipt.receiveMessage());
    assertEquals(new InteractionOutcome.Answered(YES, "c1"), requester.receiveMessage());
    assertEquals(new ServerMessage.Closed("i1", OutcomeCode.ANSWERED), connection.receiveMessage());
    detach("s1", "c1");
  }

  @Test
  void rejectionCompletesTheRequesterAsRejected() {
    attach("s1", "c1");
    TestProbe<RequestResult> requester = testKit.createTestProbe();
    request("s1", "i1", LONG, requester);

    respond("s1", "i1", "c1", new InteractionOutcome.Rejected("not now")).expectMessageClass(ServerMessage.Ack.class);

    assertEquals(new InteractionOutcome.Rejected("not now"), requester.receiveMessage());
    detach("s1", "c1");
  }

  @Test
  void anAnswerThatDoesNotFitItsSchemaIsRefusedToItsClientAloneAndTheInteractionStaysPending() {
    TestProbe<ServerMessage> answering = attach("s1", "c1");
    TestProbe<ServerMessage> other = attach("s1", "c2");
    TestProbe<RequestResult> requester = testKit.createTestProbe();
    TestProbe<Session.Admission> admission = testKit.createTestProbe();
    InteractionRequest confirm = InteractionRequest.of("confirm", RawJson.parse("payload", "{\"message\":\"Deploy?\"}"));
    directory.tell(
        "s1", new Session.RequestInteraction("i1", confirm, LONG, requester.getRef(), admission.getRef()));
    admission.expectMessageClass(Session.Admitted.class);
    answering.expectMessageClass(ServerMessage.Interaction.class);
    other.expectMessageClass(ServerMessage.Interaction.class);

    ServerMessage.Receipt refused =
        respond("s1", "i1", "c1", new InteractionOutcome.Answered(RawJson.parse("value", "{\"confirmed\":\"yes\"}"), "c1"))
            .receiveMessage();

    ServerMessage.Error error = assertInstanceOf(ServerMessage.Error.class, refused);
    assertEquals(ErrorCode.INVALID_ANSWER, error.code());
    assertEquals("i1", error.id());
    assertEquals("tag", error.ref());
    assertEquals("/confirmed", error.errors().get(0).pointer());
    assertEquals(List.of("i1"), pendingIds("s1"));
    // An answer that fits closes it, and only then does anyone else hear of it.
    RawJson fits = RawJson.parse("value", "{\"confirmed\":true}");
    respond("s1", "i1", "c1", new InteractionOutcome.Answered(fits, "c1")).expectMessageClass(ServerMessage.Ack.class);
    assertEquals(new InteractionOutcome.Answered(fits, "c1"), requester.receiveMessage());
    assertEquals(new ServerMessage.Closed("i1", OutcomeCode.ANSWERED), other.receiveMessage());
    assertEquals(new ServerMessage.Closed("i1", OutcomeCode.ANSWERED), answering.receiveMessage());
    detach("s1", "c1");
    detach("s1", "c2");
  }

  @Test
  void aDeliveryDeadlineEndsAnInteractionNobodyShowedAndAShownOneOutlivesIt() {
    TestProbe<ServerMessage> phone = attach("s1", "c1");
    TestProbe<ServerMessage> laptop = attach("s1", "c2");
    DeliveryTerms quickly = new DeliveryTerms(Optional.of(Duration.ofMillis(300)), Optional.empty(), Optional.empty());
    TestProbe<RequestResult> unseen = testKit.createTestProbe();
    admit("s1", "unseen", InteractionRequest.of("approve", PAYLOAD, LONG).withDelivery(quickly), unseen);
    TestProbe<RequestResult> seen = testKit.createTestProbe();
    admit("s1", "seen", InteractionRequest.of("approve", PAYLOAD, LONG).withDelivery(quickly), seen);

    directory.tell("s1", new Session.Shown("seen", Device.inProcess("c2"), testKit.<ServerMessage.Receipt>createTestProbe().getRef(), true));

    assertEquals(InteractionOutcome.Undelivered.INSTANCE, unseen.receiveMessage(Duration.ofSeconds(10)));
    List<ServerMessage> toPhone = List.of(phone.receiveMessage(), phone.receiveMessage(), phone.receiveMessage(), phone.receiveMessage());
    assertTrue(toPhone.contains(new ServerMessage.Shown("seen", "c2")), toPhone.toString());
    assertTrue(toPhone.contains(new ServerMessage.Closed("unseen", OutcomeCode.UNDELIVERED)), toPhone.toString());
    assertEquals(List.of("seen"), pendingIds("s1"), "shown in time: its delivery deadline no longer applies");
    directory.tell("s1", new Session.CancelInteraction("seen"));
    assertEquals(InteractionOutcome.Cancelled.INSTANCE, seen.receiveMessage());
    laptop.expectMessageClass(ServerMessage.Interaction.class);
    detach("s1", "c1");
    detach("s1", "c2");
  }

  @Test
  void extendingMovesTheDeadlineNoFurtherThanTheRequestAllowsAndEveryConnectionHears() {
    TestProbe<ServerMessage> phone = attach("s1", "c1");
    TestProbe<ServerMessage> laptop = attach("s1", "c2");
    DeliveryTerms upToTenMinutes = new DeliveryTerms(Optional.empty(), Optional.of(Duration.ofMinutes(10)), Optional.empty());
    TestProbe<RequestResult> requester = testKit.createTestProbe();
    ServerMessage.Interaction asked =
        admit("s1", "i1", InteractionRequest.of("approve", PAYLOAD, Duration.ofSeconds(2)).withDelivery(upToTenMinutes), requester)
            .status()
            .interaction();
    phone.expectMessageClass(ServerMessage.Interaction.class);
    laptop.expectMessageClass(ServerMessage.Interaction.class);

    TestProbe<ServerMessage.Receipt> receipt = testKit.createTestProbe();
    directory.tell("s1", new Session.Extend("i1", Device.inProcess("c1"), Duration.ofMinutes(5), "x1", receipt.getRef(), false));

    assertEquals(new ServerMessage.Ack("i1", "x1"), receipt.receiveMessage());
    ServerMessage.Extended extended = assertInstanceOf(ServerMessage.Extended.class, laptop.receiveMessage());
    assertEquals(extended, phone.receiveMessage());
    assertTrue(extended.expiresAt().isAfter(asked.expiresAt().plus(Duration.ofMinutes(4))), extended.toString());
    requester.expectNoMessage(Duration.ofSeconds(3)); // its first deadline, 2 s, has passed: it did not expire
    directory.tell("s1", new Session.Extend("i1", Device.inProcess("c2"), Duration.ofHours(1), "x2", receipt.getRef(), false));
    assertEquals(new ServerMessage.Ack("i1", "x2"), receipt.receiveMessage());
    assertEquals(
        new ServerMessage.Extended("i1", asked.requestedAt().plus(Duration.ofMinutes(10))), laptop.receiveMessage(), "capped");
    directory.tell("s1", new Session.Extend("i1", Device.inProcess("c2"), Duration.ofMinutes(1), "x3", receipt.getRef(), false));
    assertEquals(new ServerMessage.Ack("i1", "x3"), receipt.receiveMessage(), "already later than that: nothing moves");
    TestProbe<SessionState> state = testKit.createTestProbe();
    directory.tell("s1", new Session.GetState(state.getRef()));
    assertEquals(asked.requestedAt().plus(Duration.ofMinutes(10)), state.receiveMessage().pending().get(0).expiresAt());
    directory.tell("s1", new Session.CancelInteraction("i1"));
    assertEquals(InteractionOutcome.Cancelled.INSTANCE, requester.receiveMessage());
    assertInstanceOf(ServerMessage.Closed.class, laptop.receiveMessage(), "no extended frame for the third extension");
    detach("s1", "c1");
    detach("s1", "c2");
  }

  @Test
  void withNoDeviceAnInteractionWaitsByDefaultFailsAtOnceWhenToldToAndUsesTheGraceWhenToldTo() {
    directory = directoryWith("orchestrator.session.reconnect-grace = 100ms");
    TestProbe<RequestResult> waiting = testKit.createTestProbe();
    admit("s1", "waits", InteractionRequest.of("approve", PAYLOAD, LONG), waiting);
    TestProbe<RequestResult> failing = testKit.createTestProbe();
    Session.Admitted failed =
        admit("s1", "fails", InteractionRequest.of("approve", PAYLOAD, LONG).withDelivery(policy(WhenNoDevice.FAIL)), failing);
    TestProbe<RequestResult> graceful = testKit.createTestProbe();
    admit("s1", "grace", InteractionRequest.of("approve", PAYLOAD, LONG).withDelivery(policy(WhenNoDevice.GRACE)), graceful);

    assertEquals(Optional.of(InteractionOutcome.Undelivered.INSTANCE), failed.status().outcome());
    assertEquals(InteractionOutcome.Undelivered.INSTANCE, failing.receiveMessage());
    assertEquals(InteractionOutcome.Disconnected.INSTANCE, graceful.receiveMessage(Duration.ofSeconds(10)));
    waiting.expectNoMessage(Duration.ofMillis(500)); // five graces later, still pending
    // A person who opens the app later is shown it.
    TestProbe<ServerMessage> late = attach("s1", "c1");
    assertEquals("waits", late.expectMessageClass(ServerMessage.Interaction.class).id());
    respond("s1", "waits", "c1", new InteractionOutcome.Answered(YES, "c1")).expectMessageClass(ServerMessage.Ack.class);
    assertEquals(new InteractionOutcome.Answered(YES, "c1"), waiting.receiveMessage());
    detach("s1", "c1");
  }

  private static DeliveryTerms policy(WhenNoDevice whenNoDevice) {
    return new DeliveryTerms(Optional.empty(), Optional.empty(), Optional.of(whenNoDevice));
  }

  private Session.Admitted admit(String sessionId, String id, InteractionRequest request, TestProbe<RequestResult> requester) {
    TestProbe<Session.Admission> admission = testKit.createTestProbe();
    Duration timeout = request.timeout().orElse(LONG);
    directory.tell(
        sessionId, new Session.RequestInteraction(id, request, timeout, requester.getRef(), admission.getRef()));
    return admission.expectMessageClass(Session.Admitted.class);
  }

  @Test
  void approvalsAndARejectionArrivingTogetherYieldExactlyOneOutcome() {
    int rounds = 100;
    List<TestProbe<RequestResult>> requesters = new java.util.ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      String session = "quorum-" + round;
      TestProbe<RequestResult> requester = testKit.createTestProbe();
      requesters.add(requester);
      admit(session, "i", InteractionRequest.of("approve", PAYLOAD, LONG).withApprovals(2), requester);
      // Two approvers and a veto, in an order that changes with the round.
      List<Runnable> responses =
          new java.util.ArrayList<>(
              List.of(
                  () -> respond(session, "i", "c1", new InteractionOutcome.Answered(YES, "c1")),
                  () -> respond(session, "i", "c2", new InteractionOutcome.Answered(YES, "c2")),
                  () -> respond(session, "i", "c3", new InteractionOutcome.Rejected("no"))));
      java.util.Collections.rotate(responses, round % 3);
      responses.forEach(Runnable::run);
    }
    int answered = 0;
    for (TestProbe<RequestResult> requester : requesters) {
      RequestResult outcome = requester.receiveMessage(Duration.ofSeconds(20));
      if (outcome instanceof InteractionOutcome.Answered both) {
        answered++;
        assertEquals("[{\"approved\":true},{\"approved\":true}]", both.value().text());
      } else {
        assertEquals(new InteractionOutcome.Rejected("no"), outcome);
      }
      requester.expectNoMessage(Duration.ofMillis(10)); // exactly one
    }
    // The veto came last in about a third of the rounds (those closed answered before it), first or between in the rest.
    assertTrue(answered > 0 && answered < rounds, answered + " of " + rounds + " answered");
  }

  @Test
  void cancelEndsTheInteractionAndTellsEveryClient() {
    TestProbe<ServerMessage> first = attach("s1", "c1");
    TestProbe<ServerMessage> second = attach("s1", "c2");
    TestProbe<RequestResult> requester = testKit.createTestProbe();
    request("s1", "i1", LONG, requester);

    directory.tell("s1", new Session.CancelInteraction("i1"));

    assertEquals(InteractionOutcome.Cancelled.INSTANCE, requester.receiveMessage());
    for (TestProbe<ServerMessage> connection : List.of(first, second)) {
      connection.expectMessageClass(ServerMessage.Interaction.class);
      assertEquals(new ServerMessage.Closed("i1", OutcomeCode.CANCELLED), connection.receiveMessage());
    }
    detach("s1", "c1");
    detach("s1", "c2");
  }

  @Test
  void deadlineExpiresTheInteraction() {
    TestProbe<ServerMessage> connection = attach("s1", "c1");
    TestProbe<RequestResult> requester = testKit.createTestProbe();
    request("s1", "i1", Duration.ofMillis(50), requester);

    assertEquals(InteractionOutcome.Expired.INSTANCE, requester.receiveMessage(Duration.ofSeconds(10)));
    connection.expectMessageClass(ServerMessage.Interaction.class);
    assertEquals(new ServerMessage.Closed("i1", OutcomeCode.EXPIRED), connection.receiveMessage());
    detach("s1", "c1");
  }

  @Test
  void requesterStoppingCancelsItsInteractions() {
    TestProbe<ServerMessage> connection = attach("s1", "c1");
    TestProbe<RequestResult> requester = testKit.createTestProbe();
    request("s1", "i1", LONG, requester);
    request("s1", "i2", LONG, requester);

    requester.stop();

    connection.expectMessageClass(ServerMessage.Interaction.class);
    connection.expectMessageClass(ServerMessage.Interaction.class);
    assertEquals(OutcomeCode.CANCELLED, connection.expectMessageClass(ServerMessage.Closed.class).outcome());
    assertEquals(OutcomeCode.CANCELLED, connection.expectMessageClass(ServerMessage.Closed.class).outcome());
    detach("s1", "c1");
  }

  @Test
  void firstAnswerWinsAcrossThreeConnections() {
    directory = directoryWith("orchestrator.session.closed-retention = 200ms");
    List<TestProbe<ServerMessage>> connections = List.of(attach("s1", "c1"), attach("s1", "c2"), attach("s1", "c3"));
    TestProbe<RequestResult> requester = testKit.createTestProbe();
    request("s1", "i1", LONG, requester);

    TestProbe<ServerMessage.Receipt> winner = respond("s1", "i1", "c2", new InteractionOutcome.Answered(YES, "c2"));
    TestProbe<ServerMessage.Receipt> late = respond("s1", "i1", "c1", new InteractionOutcome.Answered(YES, "c1"));
    TestProbe<ServerMessage.Receipt> rejecter = respond("s1", "i1", "c3", new InteractionOutcome.Rejected("no"));

    winner.expectMessageClass(ServerMessage.Ack.class);
    assertEquals(ErrorCode.ALREADY_CLOSED, late.expectMessageClass(ServerMessage.Error.class).code());
    assertEquals(ErrorCode.ALREADY_CLOSED, rejecter.expectMessageClass(ServerMessage.Error.class).code());
    assertEquals(new InteractionOutcome.Answered(YES, "c2"), requester.receiveMessage());
    requester.expectNoMessage(Duration.ofMillis(100));
    for (TestProbe<ServerMessage> connection : connections) {
      connection.expectMessageClass(ServerMessage.Interaction.class);
      assertEquals(new ServerMessage.Closed("i1", OutcomeCode.ANSWERED), connection.receiveMessage());
    }
    List.of("c1", "c2", "c3").forEach(c -> detach("s1", c));
  }

  @Test
  void answerForAnUnknownInteractionIsReportedAsUnknown() {
    attach("s1", "c1");

    ServerMessage.Error error =
        respond("s1", "nope", "c1", new InteractionOutcome.Answered(YES, "c1"))
            .expectMessageClass(ServerMessage.Error.class);

    assertEquals(ErrorCode.UNKNOWN_INTERACTION, error.code());
    assertEquals("nope", error.id());
    assertEquals("tag", error.ref());
    detach("s1", "c1");
  }

  @Test
  void attachingConnectionIsSentEveryPendingInteraction() {
    TestProbe<RequestResult> requester = testKit.createTestProbe();
    ServerMessage.Interaction first = request("s1", "i1", LONG, requester);
    ServerMessage.Interaction second = request("s1", "i2", LONG, requester);

    TestProbe<ServerMessage> connection = attach("s1", "c1");

    assertEquals(first, connection.receiveMessage());
    assertEquals(second, connection.receiveMessage());
    directory.tell("s1", new Session.CancelInteraction("i1"));
    directory.tell("s1", new Session.CancelInteraction("i2"));
    requester.receiveSeveralMessages(2);
    detach("s1", "c1");
  }

  @Test
  void reconnectWithinTheGracePeriodKeepsAndReplaysPendingInteractions() {
    directory = directoryWith("orchestrator.session.reconnect-grace = 30s\norchestrator.interaction.when-no-device = grace");
    TestProbe<ServerMessage> dropped = attach("s1", "c1");
    TestProbe<RequestResult> requester = testKit.createTestProbe();
    ServerMessage.Interaction pending = request("s1", "i1", LONG, requester);
    dropped.expectMessageClass(ServerMessage.Interaction.class);

    dropped.stop();
    TestProbe<ServerMessage> reconnected = attach("s1", "c2");

    assertEquals(pending, reconnected.receiveMessage());
    respond("s1", "i1", "c2", new InteractionOutcome.Answered(YES, "c2")).expectMessageClass(ServerMessage.Ack.class);
    assertEquals(new InteractionOutcome.Answered(YES, "c2"), requester.receiveMessage());
    detach("s1", "c2");
  }

  @Test
  void withoutReconnectPendingInteractionsEndDisconnectedAndTheSessionStops() {
    directory = directoryWith("orchestrator.session.reconnect-grace = 100ms\norchestrator.interaction.when-no-device = grace");
    TestProbe<ServerMessage> dropped = attach("s1", "c1");
    TestProbe<RequestResult> requester = testKit.createTestProbe();
    request("s1", "i1", LONG, requester);
    request("s1", "i2", LONG, requester);

    dropped.stop();

    assertEquals(InteractionOutcome.Disconnected.INSTANCE, requester.receiveMessage(Duration.ofSeconds(10)));
    assertEquals(InteractionOutcome.Disconnected.INSTANCE, requester.receiveMessage(Duration.ofSeconds(10)));
    // nothingIsLeftBehind then proves the session stopped.
  }

  @Test
  void sessionWithNothingPendingAndNoConnectionStopsItself() {
    attach("s1", "c1");
    assertEquals(1, census.sessions());

    detach("s1", "c1");
    // nothingIsLeftBehind proves the session stopped.
  }

  @Test
  void sessionStopsItselfAfterItsLastClosedOutcomeIsForgotten() {
    directory = directoryWith("orchestrator.session.closed-retention = 300ms");
    TestProbe<RequestResult> requester = testKit.createTestProbe();
    request("s1", "i1", LONG, requester);
    directory.tell("s1", new Session.CancelInteraction("i1"));
    requester.expectMessage(InteractionOutcome.Cancelled.INSTANCE);

    ServerMessage.Error late =
        respond("s1", "i1", "c1", new InteractionOutcome.Answered(YES, "c1"))
            .expectMessageClass(ServerMessage.Error.class);

    assertEquals(ErrorCode.ALREADY_CLOSED, late.code());
    assertTrue(census.sessions() >= 1, "the session remembers the outcome for a while");
  }

  @Test
  void pendingLimitRefusesCleanlyAndKeepsWhatWasAccepted() {
    directory = directoryWith("orchestrator.session.max-pending-interactions = 2");
    TestProbe<RequestResult> requester = testKit.createTestProbe();
    request("s1", "i1", LONG, requester);
    request("s1", "i2", LONG, requester);

    TestProbe<RequestResult> refusedRequester = testKit.createTestProbe();
    Session.Admission admission = requestExpectingAdmission("s1", "i3", refusedRequester);

    RequestRefused refused = assertInstanceOf(RequestRefused.class, admission);
    assertEquals(Refusal.PENDING_LIMIT, refused.reason());
    assertEquals(refused, refusedRequester.receiveMessage());
    assertEquals(List.of("i1", "i2"), pendingIds("s1"));
    directory.tell("s1", new Session.CancelInteraction("i1"));
    directory.tell("s1", new Session.CancelInteraction("i2"));
    requester.receiveSeveralMessages(2);
  }

  @Test
  void connectionLimitRefusesCleanlyAndKeepsAttachedConnections() {
    directory = directoryWith("orchestrator.session.max-connections = 2");
    TestProbe<ServerMessage> first = attach("s1", "c1");
    attach("s1", "c2");

    TestProbe<Attachment.Command> third = testKit.createTestProbe();
    directory.tell("s1", new Session.Attach(Device.inProcess("c3"), third.getRef()));

    assertEquals(Refusal.CONNECTION_LIMIT, third.expectMessageClass(Attachment.Refused.class).refusal().reason());
    TestProbe<RequestResult> requester = testKit.createTestProbe();
    request("s1", "i1", LONG, requester);
    first.expectMessageClass(ServerMessage.Interaction.class);
    directory.tell("s1", new Session.CancelInteraction("i1"));
    requester.receiveMessage();
    detach("s1", "c1");
    detach("s1", "c2");
  }

  @Test
  void sessionLimitRefusesNewSessionsAndKeepsExistingOnes() {
    directory = directoryWith("orchestrator.node.max-sessions = 1");
    TestProbe<RequestResult> requester = testKit.createTestProbe();
    request("s1", "i1", LONG, requester);

    Session.Admission admission = requestExpectingAdmission("s2", "i2", testKit.createTestProbe());

    assertEquals(Refusal.SESSION_LIMIT, assertInstanceOf(RequestRefused.class, admission).reason());
    assertEquals(List.of("i1"), pendingIds("s1"));
    // What the session over the bound holds can still be read, and an answer is told what became of its interaction
    // rather than refused.
    ServerMessage.Error answer =
        assertInstanceOf(
            ServerMessage.Error.class,
            respond("s2", "i2", "c1", new InteractionOutcome.Answered(YES, "c1")).receiveMessage());
    assertEquals(ErrorCode.UNKNOWN_INTERACTION, answer.code());
    assertEquals(List.of(), pendingIds("s2"));
    directory.tell("s1", new Session.CancelInteraction("i1"));
    requester.receiveMessage();
  }

  @Test
  void duplicateInteractionIdIsRefused() {
    TestProbe<RequestResult> requester = testKit.createTestProbe();
    request("s1", "i1", LONG, requester);

    Session.Admission admission = requestExpectingAdmission("s1", "i1", testKit.createTestProbe());

    assertEquals(Refusal.DUPLICATE_ID, assertInstanceOf(RequestRefused.class, admission).reason());
    directory.tell("s1", new Session.CancelInteraction("i1"));
    requester.receiveMessage();
  }

  @Test
  void interactionStoppedBeforeAnyOutcomeCompletesItsRequesterAsShutdown() {
    TestProbe<RequestResult> requester = testKit.createTestProbe();
    TestProbe<Session.Command> session = testKit.createTestProbe();
    ServerMessage.Interaction view =
        new ServerMessage.Interaction("i1", "approve", PAYLOAD, java.time.Instant.now(), java.time.Instant.now().plus(LONG));
    ActorRef<Interaction.Command> interaction =
        testKit.spawn(Interaction.create("solo", view, LONG, null, 4, requester.getRef(), session.getRef(), false));

    // What happens to it when its session stops (a shutdown, a hand-off) before any outcome was recorded.
    testKit.stop(interaction);

    assertEquals(InteractionOutcome.Shutdown.INSTANCE, requester.receiveMessage());
  }

  @Test
  void closingEndsPendingInteractionsAsShutdownAndTellsClients() {
    TestProbe<ServerMessage> connection = attach("s1", "c1");
    TestProbe<RequestResult> requester = testKit.createTestProbe();
    request("s1", "i1", LONG, requester);
    connection.expectMessageClass(ServerMessage.Interaction.class);
    TestProbe<org.apache.pekko.Done> done = testKit.createTestProbe();

    directory.tell("s1", new Session.Close(done.getRef()));

    assertEquals(InteractionOutcome.Shutdown.INSTANCE, requester.receiveMessage());
    assertEquals(new ServerMessage.Closed("i1", OutcomeCode.SHUTDOWN), connection.receiveMessage());
    done.receiveMessage();
    detach("s1", "c1");
  }

  @Test
  void aDrainIsAnsweredAfterTheFramesTheSessionSentBeforeIt() {
    TestProbe<Object> events = testKit.createTestProbe();
    TestProbe<ActorRef<Attachment.Command>> spawned = testKit.createTestProbe();
    SessionDirectory sessions = directory;
    ActorRef<Attachment.Event> owner =
        testKit.spawn(
            Behaviors.<Attachment.Event>setup(
                context -> {
                  spawned.getRef().tell(
                      context.spawn(
                          Attachment.create("s1", "c1", sessions, context.getSelf(), LONG, Duration.ofMillis(100)),
                          "attachment"));
                  return Behaviors.receive(Attachment.Event.class)
                      .onMessage(Attachment.Deliver.class, deliver -> forward(events, deliver.message()))
                      .onAnyMessage(event -> forward(events, event))
                      .build();
                }));
    ActorRef<Attachment.Command> attachment = spawned.receiveMessage();
    assertTrue(assertInstanceOf(Attachment.Attached.class, events.receiveMessage()).first());
    TestProbe<RequestResult> requester = testKit.createTestProbe();
    // Admitted once the frame has been sent: the connection's drain at shutdown comes after the session's last frames.
    request("s1", "i1", LONG, requester);

    attachment.tell(Attachment.Drain.INSTANCE);

    assertEquals("i1", assertInstanceOf(ServerMessage.Interaction.class, events.receiveMessage()).id());
    assertEquals(Attachment.Drained.INSTANCE, events.receiveMessage());
    directory.tell("s1", new Session.CancelInteraction("i1"));
    events.expectMessageClass(ServerMessage.Closed.class);
    directory.tell("s1", new Session.Detach("c1"));
    testKit.stop(owner);
  }

  @Test
  void answerDeadlineCancelAndDisconnectArrivingTogetherYieldExactlyOneOutcome() {
    directory = directoryWith("orchestrator.session.reconnect-grace = 1ms\norchestrator.interaction.when-no-device = grace");
    int rounds = 300;
    List<TestProbe<RequestResult>> requesters = new java.util.ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      String session = "race-" + round;
      attach(session, "c1");
      TestProbe<RequestResult> requester = testKit.createTestProbe();
      requesters.add(requester);
      request(session, "i", Duration.ofMillis(1 + round % 3), requester);
      respond(session, "i", "c1", new InteractionOutcome.Answered(YES, "c1"));
      directory.tell(session, new Session.CancelInteraction("i"));
      detach(session, "c1");
    }
    testKit
        .createTestProbe()
        .awaitAssert(Duration.ofSeconds(20), () -> {
          assertEquals(0, census.interactions());
          return null;
        });
    for (TestProbe<RequestResult> requester : requesters) {
      assertInstanceOf(InteractionOutcome.class, requester.receiveMessage());
      requester.expectNoMessage(Duration.ofMillis(1));
    }
  }

  @Test
  void repeatedIdempotencyKeyReturnsTheExistingInteractionAndItsOutcome() {
    TestProbe<RequestResult> first = testKit.createTestProbe();
    TestProbe<RequestResult> second = testKit.createTestProbe();
    TestProbe<Session.Admission> admissions = testKit.createTestProbe();
    InteractionRequest request = InteractionRequest.of("approve", PAYLOAD).withIdempotencyKey("key-1");
    directory.tell("s1", new Session.RequestInteraction("i1", request, LONG, first.getRef(), admissions.getRef()));
    directory.tell("s1", new Session.RequestInteraction("i2", request, LONG, second.getRef(), admissions.getRef()));

    assertTrue(admissions.expectMessageClass(Session.Admitted.class).created());
    Session.Admitted repeated = admissions.expectMessageClass(Session.Admitted.class);
    assertEquals("i1", repeated.status().interaction().id());
    assertTrue(!repeated.created(), "no second interaction");
    assertEquals(List.of("i1"), pendingIds("s1"));

    respond("s1", "i1", "c1", new InteractionOutcome.Answered(YES, "c1")).expectMessageClass(ServerMessage.Ack.class);
    assertEquals(new InteractionOutcome.Answered(YES, "c1"), first.receiveMessage());
    assertEquals(new InteractionOutcome.Answered(YES, "c1"), second.receiveMessage());
  }

  @Test
  void idempotencyKeyOfAClosedInteractionReturnsItsOutcomeWhileRemembered() {
    directory = directoryWith("orchestrator.session.closed-retention = 300ms");
    InteractionRequest request = InteractionRequest.of("approve", PAYLOAD).withIdempotencyKey("key-1");
    TestProbe<RequestResult> first = testKit.createTestProbe();
    TestProbe<Session.Admission> admissions = testKit.createTestProbe();
    directory.tell("s1", new Session.RequestInteraction("i1", request, LONG, first.getRef(), admissions.getRef()));
    directory.tell("s1", new Session.CancelInteraction("i1"));
    first.expectMessage(InteractionOutcome.Cancelled.INSTANCE);

    TestProbe<RequestResult> late = testKit.createTestProbe();
    directory.tell("s1", new Session.RequestInteraction("i2", request, LONG, late.getRef(), admissions.getRef()));

    admissions.expectMessageClass(Session.Admitted.class);
    Session.Admitted repeated = admissions.expectMessageClass(Session.Admitted.class);
    assertEquals("i1", repeated.status().interaction().id());
    assertEquals(java.util.Optional.of(InteractionOutcome.Cancelled.INSTANCE), repeated.status().outcome());
    assertEquals(InteractionOutcome.Cancelled.INSTANCE, late.receiveMessage());
  }

  @Test
  void readerAwaitingAnOutcomeIsAnsweredWhenTheInteractionCloses() {
    TestProbe<RequestResult> requester = testKit.createTestProbe();
    ServerMessage.Interaction view = request("s1", "i1", LONG, requester);
    TestProbe<InteractionLookup> reader = testKit.createTestProbe();
    directory.tell("s1", new Session.GetInteraction("i1", false, reader.getRef()));
    assertEquals(InteractionStatus.pending("s1", view), reader.receiveMessage());

    directory.tell("s1", new Session.GetInteraction("i1", true, reader.getRef()));
    reader.expectNoMessage(Duration.ofMillis(100));
    respond("s1", "i1", "c1", new InteractionOutcome.Rejected("no"));

    InteractionStatus closed = assertInstanceOf(InteractionStatus.class, reader.receiveMessage());
    assertEquals(java.util.Optional.of(new InteractionOutcome.Rejected("no")), closed.outcome());
    assertEquals(null, closed.interaction().payload(), "a closed interaction keeps no payload");
    assertEquals(view.expiresAt(), closed.interaction().expiresAt());
    requester.receiveMessage();
  }

  @Test
  void readingAnUnknownInteractionSaysSo() {
    TestProbe<InteractionLookup> reader = testKit.createTestProbe();

    directory.tell("s1", new Session.GetInteraction("nope", true, reader.getRef()));

    assertEquals(new UnknownInteraction("s1", "nope"), reader.receiveMessage());
  }

  @Test
  void readersBeyondTheWaiterBoundGetThePendingStateAtOnce() {
    directory = directoryWith("orchestrator.interaction.max-waiters = 1");
    TestProbe<RequestResult> requester = testKit.createTestProbe();
    request("s1", "i1", LONG, requester);
    TestProbe<InteractionLookup> patient = testKit.createTestProbe();
    TestProbe<InteractionLookup> turnedAway = testKit.createTestProbe();

    directory.tell("s1", new Session.GetInteraction("i1", true, patient.getRef()));
    directory.tell("s1", new Session.GetInteraction("i1", true, turnedAway.getRef()));

    assertTrue(assertInstanceOf(InteractionStatus.class, turnedAway.receiveMessage()).isPending());
    patient.expectNoMessage(Duration.ofMillis(50));
    directory.tell("s1", new Session.CancelInteraction("i1"));
    assertTrue(!assertInstanceOf(InteractionStatus.class, patient.receiveMessage()).isPending());
    requester.receiveMessage();
  }

  // --- helpers: the steps a transport performs -------------------------------------------------------------------

  private SessionDirectory directoryWith(String overrides) {
    OrchestratorSettings settings =
        OrchestratorSettings.from(ConfigFactory.parseString(overrides).withFallback(CONFIG));
    ShardedSessions sessions =
        ShardedSessions.init(
            testKit.system(), settings, EntityTypeKey.create(Session.Command.class, "Session-" + ++entityTypes));
    // A new entity type starts its shard coordinator first; the tests' short waits are for the sessions, not for that.
    sessions.<SessionState>ask("warm-up", Session.GetState::new, Duration.ofSeconds(30)).toCompletableFuture().join();
    nothingIsLeftBehind();
    return sessions;
  }

  /**
   * A connection as a transport makes one: an actor owning an {@link Attachment}, whose frames the returned probe
   * receives. Stopping the probe drops the connection (the owner stops with it, and the attachment with the owner).
   */
  private TestProbe<ServerMessage> attach(String sessionId, String connectionId) {
    TestProbe<ServerMessage> connection = testKit.createTestProbe();
    TestProbe<Attachment.Attached> attached = testKit.createTestProbe();
    SessionDirectory sessions = directory;
    Behavior<Attachment.Event> owner =
        Behaviors.setup(
            context -> {
              context.watch(connection.getRef());
              context.spawn(
                  Attachment.create(sessionId, connectionId, sessions, context.getSelf(), LONG, Duration.ofMillis(100)),
                  "attachment");
              return Behaviors.receive(Attachment.Event.class)
                  .onMessage(Attachment.Deliver.class, deliver -> forward(connection, deliver.message()))
                  .onMessage(Attachment.Attached.class, ok -> forward(attached, ok))
                  .onSignal(Terminated.class, dropped -> Behaviors.stopped())
                  .build();
            });
    owners.put(connectionId, testKit.spawn(owner));
    assertTrue(attached.receiveMessage().first());
    return connection;
  }

  private static <T> Behavior<Attachment.Event> forward(TestProbe<T> probe, T message) {
    probe.getRef().tell(message);
    return Behaviors.same();
  }

  private void detach(String sessionId, String connectionId) {
    directory.tell(sessionId, new Session.Detach(connectionId));
    testKit.stop(owners.remove(connectionId));
  }

  private ServerMessage.Interaction request(
      String sessionId, String id, Duration timeout, TestProbe<RequestResult> requester) {
    TestProbe<Session.Admission> admission = testKit.createTestProbe();
    directory.tell(
        sessionId,
        new Session.RequestInteraction(
            id, InteractionRequest.of("approve", PAYLOAD, timeout), timeout, requester.getRef(), admission.getRef()));
    ServerMessage.Interaction view = admission.expectMessageClass(Session.Admitted.class).status().interaction();
    assertEquals(id, view.id());
    assertEquals(view.requestedAt().plus(timeout), view.expiresAt());
    return view;
  }

  private Session.Admission requestExpectingAdmission(
      String sessionId, String id, TestProbe<RequestResult> requester) {
    TestProbe<Session.Admission> admission = testKit.createTestProbe();
    directory.tell(
        sessionId,
        new Session.RequestInteraction(
            id, InteractionRequest.of("approve", PAYLOAD), LONG, requester.getRef(), admission.getRef()));
    return admission.receiveMessage();
  }

  private TestProbe<ServerMessage.Receipt> respond(
      String sessionId, String id, String connectionId, InteractionOutcome.Response response) {
    TestProbe<ServerMessage.Receipt> receipt = testKit.createTestProbe();
    directory.tell(sessionId, new Session.Respond(id, Device.inProcess(connectionId), response, "tag", receipt.getRef(), false));
    return receipt;
  }

  private List<String> pendingIds(String sessionId) {
    TestProbe<SessionState> state = testKit.createTestProbe();
    directory.tell(sessionId, new Session.GetState(state.getRef()));
    return state.receiveMessage().pending().stream().map(ServerMessage.Interaction::id).toList();
  }
}
