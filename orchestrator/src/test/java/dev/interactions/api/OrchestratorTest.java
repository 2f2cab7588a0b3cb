package dev.interactions.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.interactions.core.Census;
import dev.interactions.core.InteractionOutcome;
import dev.interactions.core.InteractionRefusedException;
import dev.interactions.core.InteractionRequest;
import dev.interactions.core.Refusal;
import dev.interactions.core.SessionState;
import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.InvalidInputException;
import dev.interactions.protocol.OutcomeCode;
import dev.interactions.protocol.RawJson;
import dev.interactions.protocol.ServerMessage;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The embeddable Java API, as a service that does not want to see actors uses it. */
class OrchestratorTest {

  private static final Config CONFIG =
      ConfigFactory.parseString(
          """
          orchestrator.session.max-pending-interactions = 3
          orchestrator.interaction.max-payload-bytes = 100
          orchestrator.session.closed-retention = 0s
          """);
  private static final RawJson PAYLOAD = RawJson.parse("payload", "{\"tool\":\"deploy\"}");
  private static final RawJson YES = RawJson.parse("value", "true");
  private static final long WAIT_SECONDS = 20;
  private static final Duration WAIT = Duration.ofSeconds(WAIT_SECONDS);
  private static final String[] BAD_SESSION_IDS = {null, "", "  ", "a b", "a/b", "x".repeat(129), "é"};

  private Orchestrator orchestrator;

  @BeforeEach
  void start() {
    orchestrator = Orchestrator.start(CONFIG);
  }

  @AfterEach
  void stop() {
    orchestrator.close();
  }

  @Test
  void requestIsAnsweredByAnAttachedInProcessClient() throws Exception {
    RecordingListener device = new RecordingListener(WAIT);
    ClientHandle client = await(orchestrator.attach("user-1", device));

    CompletableFuture<InteractionOutcome> outcome =
        orchestrator.request("user-1", InteractionRequest.of("approve", PAYLOAD)).toCompletableFuture();
    ServerMessage.Interaction shown = device.nextInteraction();
    ServerMessage.Receipt receipt = await(client.answer(shown.id(), YES));

    assertEquals(new ServerMessage.Ack(shown.id(), null), receipt);
    assertEquals(new InteractionOutcome.Answered(YES, client.connectionId()), await(outcome));
    assertEquals(new ServerMessage.Closed(shown.id(), OutcomeCode.ANSWERED), device.nextClosed());
    assertEquals("approve", shown.kind());
    assertEquals(PAYLOAD, shown.payload());
  }

  @Test
  void rejectionByAClientCompletesTheFutureAsRejected() throws Exception {
    RecordingListener device = new RecordingListener(WAIT);
    ClientHandle client = await(orchestrator.attach("user-1", device));
    CompletableFuture<InteractionOutcome> outcome =
        orchestrator.request("user-1", InteractionRequest.of("approve", PAYLOAD)).toCompletableFuture();

    await(client.reject(device.nextInteraction().id(), "too risky"));

    assertEquals(new InteractionOutcome.Rejected("too risky"), await(outcome));
  }

  @Test
  void cancellingTheFutureCancelsTheInteractionAndTellsClients() throws Exception {
    RecordingListener device = new RecordingListener(WAIT);
    ClientHandle client = await(orchestrator.attach("user-1", device));
    CompletableFuture<InteractionOutcome> outcome =
        orchestrator.request("user-1", InteractionRequest.of("approve", PAYLOAD)).toCompletableFuture();
    String id = device.nextInteraction().id();

    outcome.cancel(false);

    assertEquals(new ServerMessage.Closed(id, OutcomeCode.CANCELLED), device.nextClosed());
    ServerMessage.Receipt late = await(client.answer(id, YES));
    assertEquals(ErrorCode.UNKNOWN_INTERACTION, assertInstanceOf(ServerMessage.Error.class, late).code());
  }

  @Test
  void closingEndsPendingInteractionsAsShutdown() throws Exception {
    await(orchestrator.attach("user-1", new RecordingListener(WAIT)));
    CompletableFuture<InteractionOutcome> outcome =
        orchestrator.request("user-1", InteractionRequest.of("approve", PAYLOAD)).toCompletableFuture();

    orchestrator.close();

    assertEquals(InteractionOutcome.Shutdown.INSTANCE, await(outcome));
    assertTrue(orchestrator.system().whenTerminated().isCompleted(), "its own actor system is terminated");
  }

  @Test
  void embeddedOrchestratorClosesGracefullyWithoutStoppingItsHostSystem() throws Exception {
    ActorTestKit host = ActorTestKit.create("host", CONFIG.withFallback(ConfigFactory.load()));
    try {
      Orchestrator embedded = Orchestrator.embed(host.system());
      RecordingListener device = new RecordingListener(WAIT);
      await(embedded.attach("user-1", device));
      CompletableFuture<InteractionOutcome> outcome =
          embedded.request("user-1", InteractionRequest.of("approve", PAYLOAD)).toCompletableFuture();
      String id = device.nextInteraction().id();

      embedded.close();

      assertEquals(InteractionOutcome.Shutdown.INSTANCE, await(outcome));
      assertEquals(new ServerMessage.Closed(id, OutcomeCode.SHUTDOWN), device.nextClosed());
      assertTrue(!host.system().whenTerminated().isCompleted(), "host system keeps running");
      InteractionRefusedException refused =
          assertThrows(
              InteractionRefusedException.class,
              () -> await(embedded.request("user-1", InteractionRequest.of("approve", PAYLOAD))));
      assertEquals(Refusal.SHUTTING_DOWN, refused.reason());
    } finally {
      host.shutdownTestKit();
    }
  }

  @Test
  void requestOverAPerSessionBoundIsRefusedAndEarlierOnesStayPending() throws Exception {
    for (int i = 0; i < 3; i++) {
      orchestrator.request("user-1", InteractionRequest.of("approve", PAYLOAD));
    }

    InteractionRefusedException refused =
        assertThrows(
            InteractionRefusedException.class,
            () -> await(orchestrator.request("user-1", InteractionRequest.of("approve", PAYLOAD))));

    assertEquals(Refusal.PENDING_LIMIT, refused.reason());
    assertEquals(3, await(orchestrator.state("user-1")).pending().size());
  }

  @Test
  void stateReportsAttachedConnectionsAndPendingInteractions() throws Exception {
    ClientHandle client = await(orchestrator.attach("user-1", new RecordingListener(WAIT)));
    orchestrator.request("user-1", InteractionRequest.of("approve", PAYLOAD));

    SessionState state = await(orchestrator.state("user-1"));

    assertEquals(java.util.List.of(client.connectionId()), state.connections());
    assertEquals(1, state.pending().size());
    SessionState nobody = await(orchestrator.state("nobody"));
    assertEquals(java.util.List.of(), nobody.connections());
    assertEquals(java.util.List.of(), nobody.pending());
    Address node = orchestrator.system().address();
    assertEquals(node.getHost().get() + ":" + node.getPort().get(), nobody.node(), "the node hosting the session");
  }

  @Test
  void invalidSessionIdsAreRejectedNamingTheFieldAndCreateNothing() {
    for (String bad : BAD_SESSION_IDS) {
      assertEquals("sessionId", invalid(bad, InteractionRequest.of("approve", PAYLOAD)).field(), "session id " + bad);
    }
    assertEquals(0, Census.get(orchestrator.system()).sessions());
  }

  @Test
  void invalidSessionIdFailsTheSameWayOnAClosedOrchestratorBeforeTheRequestIsChecked() {
    InteractionRequest valid = InteractionRequest.of("approve", PAYLOAD);
    InteractionRequest invalidKind = InteractionRequest.of(" ", PAYLOAD);
    assertEquals("sessionId", invalid("a b", invalidKind).field(), "open: the session id is checked first");

    orchestrator.close();

    for (String bad : BAD_SESSION_IDS) {
      assertEquals("sessionId", invalid(bad, valid).field(), "closed, session id " + bad);
      assertEquals("sessionId", invalid(bad, invalidKind).field(), "closed, session id " + bad + " and a bad kind");
    }
    assertEquals("kind", invalid("user-1", invalidKind).field(), "closed, only the request invalid");
    InteractionRefusedException refused =
        assertThrows(InteractionRefusedException.class, () -> await(orchestrator.request("user-1", valid)));
    assertEquals(Refusal.SHUTTING_DOWN, refused.reason(), "closed, valid input");
  }

  @Test
  void requestsOutsideTheConfiguredLimitsAreRejectedNamingTheField() {
    assertEquals("kind", invalid(InteractionRequest.of(" ", PAYLOAD)).field());
    assertEquals("kind", invalid(InteractionRequest.of("k".repeat(65), PAYLOAD)).field());
    assertEquals("timeoutMs", invalid(InteractionRequest.of("approve", PAYLOAD, Duration.ofMillis(5))).field());
    assertEquals("timeoutMs", invalid(InteractionRequest.of("approve", PAYLOAD, Duration.ofHours(2))).field());
    RawJson big = RawJson.parse("payload", "\"" + "x".repeat(200) + "\"");
    assertEquals("payload", invalid(InteractionRequest.of("approve", big)).field());
    assertEquals(0, Census.get(orchestrator.system()).sessions());
  }

  private InvalidInputException invalid(InteractionRequest request) {
    return invalid("user-1", request);
  }

  private InvalidInputException invalid(String sessionId, InteractionRequest request) {
    return assertThrows(InvalidInputException.class, () -> orchestrator.request(sessionId, request));
  }

  private static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    try {
      return stage.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw new CompletionException(e.getCause());
    }
  }
}
