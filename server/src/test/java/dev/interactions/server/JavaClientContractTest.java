package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.fasterxml.jackson.databind.JsonNode;
import dev.interactions.client.Backoff;
import dev.interactions.client.Device;
import dev.interactions.client.HistoryQuery;
import dev.interactions.client.InteractionRequest;
import dev.interactions.client.InteractionState;
import dev.interactions.client.InteractionsClient;
import dev.interactions.client.LeftoverThreads;
import dev.interactions.client.RefusedException;
import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.OutcomeCode;
import dev.interactions.protocol.ServerMessage;
import dev.interactions.transport.auth.TestTokens;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java client ({@code client} module) against a real server on real sockets: requesters over HTTP, devices over
 * WebSockets, through drops, restarts and token expiry. See {@code docs/CLIENTS.md}.
 */
class JavaClientContractTest {

  /** Reconnects soon after a drop, so that tests need not wait out the default backoff. */
  private static final Backoff QUICK_RECONNECT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));

  private static TestServer server;
  private static InteractionsClient client;

  @BeforeAll
  static void start() {
    server = TestServer.start("");
    client = InteractionsClient.builder(server.http("")).build();
  }

  @AfterAll
  static void stop() {
    client.close();
    server.close();
  }

  // --- requesters and devices ----------------------------------------------------------------------------------------

  @Test
  void createAndWaitCompletesWithTheAnswerOfADeviceOfTheSameLibrary() throws Exception {
    try (Device phone = client.device("wait")) {
      phone.onInteraction(interaction -> phone.answer(interaction.id(), Map.of("approved", true)));
      phone.connect().get(30, TimeUnit.SECONDS);

      InteractionState answered =
          client.requester().createAndWait("wait", InteractionRequest.of("approve", Map.of("tool", "git push"))).get(30, TimeUnit.SECONDS);

      assertEquals(OutcomeCode.ANSWERED, answered.outcome().orElseThrow(), answered.toString());
      assertEquals(Map.of("approved", true), answered.valueAs(Map.class));
      assertEquals(phone.connectionId(), answered.answeredBy().orElseThrow());
    }
  }

  @Test
  void anAnswerThatDoesNotFitIsRefusedWithItsProblemsAndOtherRefusalsCarryTheirCodes() throws Exception {
    try (Device phone = client.device("refusals")) {
      DeviceReports sees = DeviceReports.connected(phone);
      String id = create("refusals", InteractionRequest.of("confirm", Map.of("message", "Deploy?"))).id();
      sees.next(ServerMessage.Interaction.class);

      RefusedException invalid = refusal(phone.answer(id, Map.of("confirmed", "yes")));

      assertTrue(invalid.is(ErrorCode.INVALID_ANSWER), invalid.toString());
      assertEquals("/confirmed", invalid.problems().get(0).pointer(), invalid.problems().toString());
      assertEquals(id, invalid.interactionId().orElseThrow());
      assertTrue(client.requester().get("refusals", id).get(30, TimeUnit.SECONDS).isPending(), "it stays pending");
      phone.answer(id, Map.of("confirmed", true)).get(30, TimeUnit.SECONDS);
      assertTrue(refusal(phone.reject(id, "too late")).is(ErrorCode.ALREADY_CLOSED));
      assertTrue(refusal(phone.answer("no-such-interaction", 1)).is(ErrorCode.UNKNOWN_INTERACTION));
    }
  }

  @Test
  void shownAndExtendedReachEveryDeviceOfTheSession() throws Exception {
    try (Device phone = client.device("human");
        Device laptop = client.device("human")) {
      DeviceReports phoneSees = DeviceReports.connected(phone);
      DeviceReports laptopSees = DeviceReports.connected(laptop);
      InteractionState created =
          create("human", InteractionRequest.builder("approve", null).timeout(Duration.ofMinutes(1)).maxTimeout(Duration.ofMinutes(10)).build());
      phoneSees.next(ServerMessage.Interaction.class);
      laptopSees.next(ServerMessage.Interaction.class);

      assertTrue(phone.shown(created.id()));
      assertEquals(phone.connectionId(), laptopSees.next(ServerMessage.Shown.class).by());
      phone.extend(created.id(), Duration.ofMinutes(5)).get(30, TimeUnit.SECONDS);

      Instant extended = laptopSees.next(ServerMessage.Extended.class).expiresAt();
      assertTrue(extended.isAfter(created.expiresAt()), extended + " after " + created.expiresAt());
      assertEquals(extended, laptop.pending().get(0).expiresAt(), "the pending interaction has the new deadline");
      assertEquals(extended, client.requester().get("human", created.id()).get(30, TimeUnit.SECONDS).expiresAt());
      assertFalse(laptop.shown(created.id()), "shown already: nothing is sent");
    }
  }

  @Test
  void aClosedDeviceHearsNothingMoreAndLeavesNoConnection() throws Exception {
    try (Device closing = client.device("device-close");
        Device staying = client.device("device-close")) {
      DeviceReports closingSees = DeviceReports.connected(closing);
      DeviceReports stayingSees = DeviceReports.connected(staying);

      closing.close();

      assertEquals(Device.State.CLOSED, closing.state());
      server.awaitConnections("device-close", 1);
      create("device-close", InteractionRequest.of("approve", null));
      stayingSees.next(ServerMessage.Interaction.class); // the server pushed it to every device of the session by now
      assertEquals(List.of(), closingSees.left(ServerMessage.Interaction.class));
      assertInstanceOf(IOException.class, failure(closing.answer("any", 1)), "not connected");
    }
  }

  @Test
  void aDeviceKeepsItsConnectionAliveWithPingsAsTheHeartbeatAsks() throws Exception {
    try (TestServer strict =
            TestServer.start("orchestrator.transport.heartbeat = 500ms\norchestrator.transport.liveness-timeout = 1500ms");
        InteractionsClient pinging = InteractionsClient.builder(strict.http("")).build();
        Device phone = pinging.device("alive")) {
      DeviceReports sees = DeviceReports.connected(phone);
      String connection = phone.connectionId();

      // The clock: an interaction that expires after more than twice the longest the server lets a silent socket live.
      InteractionState expired =
          pinging.requester()
              .createAndWait("alive", InteractionRequest.builder("approve", null).timeout(Duration.ofSeconds(5)).build())
              .get(30, TimeUnit.SECONDS);

      assertEquals(OutcomeCode.EXPIRED, expired.outcome().orElseThrow());
      assertEquals(List.of(Device.State.CONNECTING, Device.State.SYNCED), sees.left(Device.State.class), "never dropped");
      assertEquals(connection, phone.connectionId());
      assertEquals(connection, strict.get("/v1/sessions/alive").body().path("connections").get(0).asText());
    }
  }

  // --- drops, restarts, tokens -----------------------------------------------------------------------------------------

  @Test
  void aDeviceReconnectsAfterTheServerRestartsAndReportsWhatWasPendingOnlyOnce(@TempDir Path data) throws Exception {
    String durable =
        "orchestrator.persistence.store = jdbc\n"
            + "orchestrator.persistence.jdbc.url = \"jdbc:h2:file:" + data.resolve("db").toAbsolutePath() + "\"\n";
    TestServer first = TestServer.start(durable);
    int port = first.port();
    try (InteractionsClient restarting = InteractionsClient.builder(first.http("")).reconnect(QUICK_RECONNECT).build();
        Device phone = restarting.device("restart")) {
      DeviceReports sees = DeviceReports.connected(phone);
      String waiting = create(restarting, "restart", InteractionRequest.of("approve", Map.of("n", 1))).id();
      InteractionState brief =
          create(restarting, "restart", InteractionRequest.builder("approve", null).timeout(Duration.ofSeconds(2)).build());
      sees.next(ServerMessage.Interaction.class);
      sees.next(ServerMessage.Interaction.class);
      String firstConnection = phone.connectionId();

      first.close(); // the durable store keeps both pending: no closed frame, the socket is closed
      awaitPast(brief.expiresAt()); // so the restarted server finds it expired
      try (TestServer second = TestServer.start(durable + "orchestrator.http.port = " + port)) {
        assertEquals(
            List.of(Device.State.CONNECTING, Device.State.SYNCED, Device.State.RECONNECTING),
            List.of(sees.next(Device.State.class), sees.next(Device.State.class), sees.next(Device.State.class)));
        assertEquals(Device.State.SYNCED, sees.next(Device.State.class));

        ServerMessage.Closed gone = sees.next(ServerMessage.Closed.class);
        assertEquals(brief.id(), gone.id());
        // Expired at recovery, before the device was replayed what is pending: it learns only that it is gone. (On a
        // machine slow enough that it expired before the first server went down, it is told so live instead.)
        assertTrue(gone.outcome() == null || gone.outcome() == OutcomeCode.EXPIRED, gone.toString());
        phone.answer(waiting, "after the restart").get(30, TimeUnit.SECONDS);
        InteractionState answered = restarting.requester().get("restart", waiting).get(30, TimeUnit.SECONDS);
        assertEquals(phone.connectionId(), answered.answeredBy().orElseThrow());
        assertNotEquals(firstConnection, phone.connectionId());
        sees.next(ServerMessage.Closed.class);
        assertEquals(List.of(), sees.left(ServerMessage.Interaction.class), "the replay reported nothing again");
        assertEquals(List.of(), sees.left(ServerMessage.Closed.class));
      }
    } finally {
      first.close();
    }
  }

  @Test
  void aDeviceWhoseTokenExpiredReconnectsWithAFreshOneAndOneThatMayNotJoinIsRefused() throws Exception {
    try (TestServer jwt = TestServer.startWithJwt("orchestrator.auth.jwt.leeway = 1s");
        InteractionsClient requesting =
            InteractionsClient.builder(jwt.http(""))
                .token(() -> TestTokens.requester(TestTokens.SECRET, "backend"))
                .reconnect(QUICK_RECONNECT)
                .build()) {
      // Long enough to be accepted on a busy machine, short enough to expire during the test.
      Instant expiry = Instant.now().plusSeconds(5).truncatedTo(ChronoUnit.SECONDS);
      AtomicInteger issued = new AtomicInteger();
      Supplier<String> tokens =
          () -> issued.incrementAndGet() == 1 ? expiringAt(expiry, "rotating") : TestTokens.client(TestTokens.SECRET, "user-1", "rotating");
      try (Device phone = requesting.device("rotating", tokens)) {
        DeviceReports sees = DeviceReports.connected(phone);
        String id = create(requesting, "rotating", InteractionRequest.of("approve", null)).id();
        sees.next(ServerMessage.Interaction.class);
        String firstConnection = phone.connectionId();

        assertTrue(sees.next(RefusedException.class).is(ErrorCode.TOKEN_EXPIRED));
        assertEquals(
            List.of(Device.State.CONNECTING, Device.State.SYNCED, Device.State.RECONNECTING, Device.State.SYNCED),
            List.of(sees.next(Device.State.class), sees.next(Device.State.class), sees.next(Device.State.class), sees.next(Device.State.class)));
        phone.answer(id, true).get(30, TimeUnit.SECONDS);

        assertNotEquals(firstConnection, phone.connectionId());
        assertEquals(2, issued.get(), "a fresh token for the reconnect");
        assertEquals(List.of(), sees.left(ServerMessage.Interaction.class), "the replay reported nothing again");
      }

      try (Device stranger = requesting.device("rotating", () -> TestTokens.client(TestTokens.SECRET, "user-2", "elsewhere"))) {
        RefusedException forbidden = assertInstanceOf(RefusedException.class, failure(stranger.connect()));

        assertEquals("forbidden", forbidden.code());
        assertEquals(403, forbidden.httpStatus().getAsInt());
        assertEquals(Device.State.CLOSED, stranger.state(), "a refusal that retrying cannot fix ends the device");
      }
    }
  }

  @Test
  void closingTheClientClosesItsDevicesAndLeavesNoThreadBehind() throws Exception {
    InteractionsClient closing = InteractionsClient.builder(server.http("")).build();
    Device phone = closing.device("client-close");
    DeviceReports sees = DeviceReports.connected(phone);
    LeftoverThreads threads = LeftoverThreads.of(closing);
    create(closing, "client-close", InteractionRequest.of("approve", null));
    sees.next(ServerMessage.Interaction.class);
    CompletableFuture<InteractionState> waiting =
        closing.requester().await("client-close", phone.pending().get(0).id(), Duration.ofSeconds(60));

    closing.close();

    assertEquals(Device.State.CLOSED, phone.state());
    assertInstanceOf(CancellationException.class, failure(waiting), "the long poll was abandoned");
    server.awaitConnections("client-close", 0);
    threads.awaitNone();
  }

  // --- requesters alone ----------------------------------------------------------------------------------------------

  @Test
  void aCreateWhoseResponseWasLostIsRetriedWithItsKeyAndCreatesOneInteraction() throws Exception {
    try (ResponseLosingProxy proxy = ResponseLosingProxy.to(server.port());
        InteractionsClient throughProxy = InteractionsClient.builder(URI.create("http://127.0.0.1:" + proxy.port())).build()) {
      InteractionState created = create(throughProxy, "lost", InteractionRequest.of("approve", null));

      assertTrue(proxy.lostAResponse(), "the first response was lost, so the create was sent again");
      JsonNode session = server.get("/v1/sessions/lost").body();
      assertEquals(1, session.path("pending").size(), "the retry created nothing new: " + session);
      assertEquals(created.id(), session.path("pending").get(0).path("id").asText());
    }
  }

  @Test
  void aCancelledInteractionReadsCancelledAndSoDoesItsCancelAgain() throws Exception {
    InteractionState created = create("cancel", InteractionRequest.of("approve", null));

    InteractionState cancelled = client.requester().cancel("cancel", created.id()).get(30, TimeUnit.SECONDS);

    assertEquals(OutcomeCode.CANCELLED, cancelled.outcome().orElseThrow());
    assertEquals(OutcomeCode.CANCELLED, client.requester().get("cancel", created.id()).get(30, TimeUnit.SECONDS).outcome().orElseThrow());
    assertEquals(OutcomeCode.CANCELLED, client.requester().cancel("cancel", created.id()).get(30, TimeUnit.SECONDS).outcome().orElseThrow());
  }

  @Test
  void refusalsCarryTheWireCodeTheStatusAndTheServersMessage() {
    RefusedException tooShort =
        refusal(client.requester().create("bad", InteractionRequest.builder("approve", null).timeout(Duration.ofMillis(50)).build()));
    assertEquals("bad_request", tooShort.code());
    assertEquals(400, tooShort.httpStatus().getAsInt());
    assertTrue(tooShort.getMessage().startsWith("timeoutMs: "), tooShort.getMessage());

    RefusedException unknown = refusal(client.requester().get("bad", "no-such-interaction"));
    assertEquals("unknown_interaction", unknown.code());
    assertEquals(404, unknown.httpStatus().getAsInt());

    RefusedException noHistory = refusal(client.requester().history("bad", HistoryQuery.all()));
    assertEquals("history_unavailable", noHistory.code(), "the memory store keeps no history");
    assertEquals(501, noHistory.httpStatus().getAsInt());
  }

  // --- steps ---------------------------------------------------------------------------------------------------------

  private static InteractionState create(String sessionId, InteractionRequest request) throws Exception {
    return create(client, sessionId, request);
  }

  private static InteractionState create(InteractionsClient by, String sessionId, InteractionRequest request) throws Exception {
    InteractionState created = by.requester().create(sessionId, request).get(30, TimeUnit.SECONDS);
    assertTrue(created.isPending(), created.toString());
    return created;
  }

  private static String expiringAt(Instant expiry, String sessionId) {
    return JWT.create()
        .withSubject("user-1")
        .withExpiresAt(expiry)
        .withArrayClaim("sessions", new String[] {sessionId})
        .sign(TestTokens.hs256(TestTokens.SECRET));
  }

  private static RefusedException refusal(CompletableFuture<?> call) {
    return assertInstanceOf(RefusedException.class, failure(call));
  }

  /** What {@code call} failed with, waiting 30 s at most. */
  private static Throwable failure(CompletableFuture<?> call) {
    try {
      Object value = call.get(30, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + value);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (CancellationException e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Waits until the clock is past {@code instant}: the server's clock is the same one. */
  private static void awaitPast(Instant instant) throws InterruptedException {
    while (!Instant.now().isAfter(instant)) {
      Thread.sleep(Math.max(1, Duration.between(Instant.now(), instant).toMillis() + 1));
    }
  }
}
