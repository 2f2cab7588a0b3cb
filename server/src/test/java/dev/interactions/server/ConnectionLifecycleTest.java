package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.interactions.metrics.KamonStartup;
import dev.interactions.protocol.WireCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.junit.jupiter.api.Test;

/**
 * How client connections end (silence, abrupt drops, clean closes, slow reading, abuse, server shutdown) and that each
 * way leaves no connection or session behind. Every test runs a real server on a loopback port.
 */
class ConnectionLifecycleTest {

  /** Generous: the machine has two cores and may be busy with other builds. */
  private static final Duration DEADLINE = Duration.ofSeconds(15);

  private static final String FAST_LIVENESS =
      """
      orchestrator.transport.heartbeat = 200ms
      orchestrator.transport.liveness-timeout = 600ms
      """;

  private static final String PING = "{\"type\":\"ping\"}";

  // --- half-open peers ---------------------------------------------------------------------------------------------

  @Test
  void clientThatFallsSilentIsDetachedWithinTheLivenessBound() throws Exception {
    try (TestServer server = TestServer.start(FAST_LIVENESS);
        RawHttp peer = RawHttp.webSocket(server.port(), "silent", 0)) {
      // Alive (pinging) until the session is seen to list it; from then on it neither reads, writes nor closes.
      peer.keepAlive(Duration.ofMillis(100));
      await("the silent peer to be attached", () -> connections(server, "silent") == 1);
      peer.fallSilent();
      long silentSince = peer.lastWriteNanos();

      await("the silent peer to be detached", () -> connections(server, "silent") == 0);
      Duration detachedAfter = Duration.ofNanos(System.nanoTime() - silentSince);

      await("no connection actor left", () -> server.census().connections() == 0);
      assertTrue(detachedAfter.toMillis() >= 600, "detached before the liveness timeout: " + detachedAfter);
    }
  }

  @Test
  void interactionOfAClientThatFellSilentEndsDisconnectedWhenTheGraceRunsOut() throws Exception {
    try (TestServer server =
            TestServer.start(
                FAST_LIVENESS + "orchestrator.session.reconnect-grace = 500ms\norchestrator.interaction.when-no-device = grace\n");
        RawHttp peer = RawHttp.webSocket(server.port(), "grace", 0)) {
      peer.keepAlive(Duration.ofMillis(100));
      await("the peer to be attached", () -> connections(server, "grace") == 1);
      String id = create(server, "grace", "{}").path("id").asText();
      peer.fallSilent();

      // Its own timeout is a minute away: only the liveness rule and then the grace can end it this soon.
      JsonNode ended = awaitOutcome(server, "grace", id);

      assertEquals("disconnected", ended.path("status").asText(), ended.toString());
    }
  }

  // --- reconnecting ------------------------------------------------------------------------------------------------

  @Test
  void clientReconnectingWithinTheGraceIsShownTheSameInteractionAndItsAnswerCounts() {
    try (TestServer server = TestServer.start("orchestrator.session.reconnect-grace = 30s")) {
      WsClient first = connect(server, "reconnect");
      first.next("welcome");
      String id = create(server, "reconnect", "{\"step\":1}").path("id").asText();
      assertEquals(id, first.next("interaction").path("id").asText());
      first.abort();
      await("the dropped client to be detached", () -> connections(server, "reconnect") == 0);

      try (WsClient second = connect(server, "reconnect")) {
        second.next("welcome");
        JsonNode replayed = second.next("interaction");
        assertEquals(id, replayed.path("id").asText());
        assertEquals(1, replayed.path("payload").path("step").asInt());

        second.send("{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":{\"approved\":true}}");
        second.next("ack");
      }

      JsonNode outcome = server.get("/v1/sessions/reconnect/interactions/" + id).body();
      assertEquals("answered", outcome.path("status").asText(), outcome.toString());
      assertTrue(outcome.path("value").path("approved").asBoolean(), outcome.toString());
    }
  }

  // --- many connections --------------------------------------------------------------------------------------------

  @Test
  void tenThousandConnectionsOpenedAndDroppedOrClosedLeaveNoConnectionOrSessionBehind() throws Exception {
    int cycles = 10_000;
    int sessionCount = 100;
    int inFlight = 50;
    try (TestServer server = TestServer.start("orchestrator.session.closed-retention = 0s")) {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
      Semaphore slots = new Semaphore(inFlight);
      AtomicInteger welcomed = new AtomicInteger();
      AtomicInteger finished = new AtomicInteger();
      Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
      long started = System.nanoTime();

      for (int i = 0; i < cycles; i++) {
        assertTrue(slots.tryAcquire(60, TimeUnit.SECONDS), "no cycle finished within a minute");
        String sessionId = "churn-" + (i % sessionCount);
        boolean abrupt = i % 2 == 0;
        openAndEnd(http, server.ws("/v1/sessions/" + sessionId + "/ws"), sessionId, abrupt, welcomed)
            .whenComplete(
                (done, failure) -> {
                  if (failure != null) {
                    failures.add(failure);
                  }
                  finished.incrementAndGet();
                  slots.release();
                });
      }
      assertTrue(slots.tryAcquire(inFlight, 60, TimeUnit.SECONDS), "the last cycles did not finish within a minute");
      Duration churn = Duration.ofNanos(System.nanoTime() - started);

      assertEquals(List.of(), failures.stream().limit(5).toList(), failures.size() + " cycles failed");
      assertEquals(cycles, finished.get());
      assertEquals(cycles, welcomed.get(), "every connection is welcomed before it ends");
      await("every connection actor to stop", () -> server.census().connections() == 0);
      await("every session to stop", () -> server.census().sessions() == 0);
      System.out.printf(
          "%d WebSocket connect/disconnect cycles (%d in flight, half aborted) took %d ms; census clean after %d ms%n",
          cycles, inFlight, churn.toMillis(), Duration.ofNanos(System.nanoTime() - started).toMillis());
    }
  }

  /** One cycle: connect, wait for the welcome, then drop the socket ({@code abrupt}) or close it cleanly. */
  private static CompletableFuture<Void> openAndEnd(
      HttpClient http, URI uri, String sessionId, boolean abrupt, AtomicInteger welcomed) {
    Recorder listener = new Recorder();
    return http.newWebSocketBuilder()
        .connectTimeout(Duration.ofSeconds(30))
        .buildAsync(uri, listener)
        .thenCompose(
            socket ->
                listener
                    .first
                    .orTimeout(30, TimeUnit.SECONDS)
                    .thenCompose(
                        welcome -> {
                          if (!"welcome".equals(welcome.path("type").asText())
                              || !sessionId.equals(welcome.path("sessionId").asText())) {
                            throw new AssertionError("expected the welcome of " + sessionId + " first, got " + welcome);
                          }
                          welcomed.incrementAndGet();
                          if (abrupt) {
                            socket.abort();
                            return CompletableFuture.<Void>completedFuture(null);
                          }
                          return socket
                              .sendClose(WebSocket.NORMAL_CLOSURE, "")
                              .thenCompose(sent -> listener.closed)
                              .orTimeout(30, TimeUnit.SECONDS)
                              .<Void>thenApply(code -> null);
                        })
                    .whenComplete((done, failure) -> socket.abort()));
  }

  // --- slow consumers ----------------------------------------------------------------------------------------------

  @Test
  void clientThatStopsReadingIsDisconnectedOnceItsOutboundBufferIsFull() throws Exception {
    // Liveness and Pekko's idle timeout are pushed far out so that only the full buffer can end the connection.
    String config =
        """
        orchestrator.transport.outbound-buffer = 4
        orchestrator.transport.heartbeat = 5m
        orchestrator.transport.liveness-timeout = 10m
        orchestrator.interaction.max-payload-bytes = 262144
        orchestrator.session.max-pending-interactions = 400
        pekko.http.server.idle-timeout = 10m
        """;
    String payload = "{\"blob\":\"" + "x".repeat(100_000) + "\"}";
    int maxInteractions = 300; // 30 MB: several times what the kernel's socket buffers hold on loopback
    // Kamon takes snapshots only once started (Main does it); the count is read from the scrape.
    KamonStartup.start(
        ConfigFactory.parseString("orchestrator.metrics.tick-interval = 200ms").withFallback(ConfigFactory.load()).resolve());
    try (TestServer server = TestServer.start(config);
        RawHttp reader = RawHttp.webSocket(server.port(), "slow", 4096)) {
      await("the non-reading client to be attached", () -> connections(server, "slow") == 1);
      Scrape before = Scrape.await(server, "Kamon's first snapshot", Scrape::hasData);

      int created = 0;
      while (created < maxInteractions && connections(server, "slow") == 1) {
        create(server, "slow", payload);
        created++;
      }
      await("the non-reading client to be detached", () -> connections(server, "slow") == 0);
      await("no connection actor left", () -> server.census().connections() == 0);
      reader.awaitServerHangUp();
      System.out.printf(
          "slow consumer detached after %d interactions of %d bytes (%d MB offered)%n",
          created, payload.length(), (long) created * payload.length() / 1_000_000);
      assertTrue(created < maxInteractions, "still attached after " + created + " interactions it never read");
      String slowConsumers = "interactions_slow_consumer_disconnects_total";
      Scrape.await(
          server,
          "one slow consumer disconnected",
          scrape ->
              scrape.value(slowConsumers, "transport", "websocket")
                      - before.value(slowConsumers, "transport", "websocket")
                  == 1);
    }
  }

  // --- shutdown ----------------------------------------------------------------------------------------------------

  @Test
  void shutdownTellsAttachedClientsTheirInteractionsEndedThenClosesTheirSockets() {
    TestServer server = TestServer.start("");
    try (WsClient client = connect(server, "shutdown")) {
      client.next("welcome");
      String id = create(server, "shutdown", "{}").path("id").asText();
      assertEquals(id, client.next("interaction").path("id").asText());

      server.close();

      JsonNode closed = client.next("closed");
      assertEquals(id, closed.path("id").asText());
      assertEquals("shutdown", closed.path("outcome").asText());
      assertEquals(WebSocket.NORMAL_CLOSURE, client.awaitClosedByServer());
    } finally {
      server.close();
    }
  }

  @Test
  void readinessReportsShuttingDownWhileThePortIsStillBound() {
    // A phase of our own between readiness-off (before-service-unbind) and the unbind, to look at the server there.
    TestServer server =
        TestServer.start(
            """
            pekko.coordinated-shutdown.phases {
              observe-readiness.depends-on = [before-service-unbind]
              service-unbind.depends-on = [observe-readiness]
            }
            """);
    try {
      CompletableFuture<TestServer.Reply> readiness = new CompletableFuture<>();
      CoordinatedShutdown.get(server.orchestrator().system())
          .addTask(
              "observe-readiness",
              "read-health-ready",
              () ->
                  CompletableFuture.supplyAsync(() -> server.get("/health/ready"))
                      .whenComplete((reply, failure) -> complete(readiness, reply, failure))
                      .handle((reply, failure) -> Done.getInstance()));
      assertEquals(200, server.get("/health/ready").status());

      server.close();

      TestServer.Reply reply = readiness.orTimeout(DEADLINE.toSeconds(), TimeUnit.SECONDS).join();
      assertEquals(503, reply.status());
      assertEquals("not_ready", reply.body().path("status").asText());
      String httpCheck = null;
      for (com.fasterxml.jackson.databind.JsonNode check : reply.body().path("checks")) {
        if (check.path("name").asText().equals("http")) {
          httpCheck = check.path("detail").asText();
        }
      }
      assertEquals("shutting down", httpCheck, reply.toString());
    } finally {
      server.close();
    }
  }

  // --- abusive clients ---------------------------------------------------------------------------------------------

  @Test
  void oversizedFragmentedMessageIsRefusedAndTheConnectionStaysUsable() {
    try (TestServer server = TestServer.start("orchestrator.transport.max-message-size = 1KiB");
        WsClient client = connect(server, "oversized")) {
      client.next("welcome");

      // 1,200 bytes in three frames: each is small, the message is not.
      client.sendFragmented("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(600), "x".repeat(578), "\"}");

      assertEquals("too_large", client.next("error").path("code").asText());
      client.send(PING);
      client.next("pong");
    }
  }

  private static final String RATE_LIMITED =
      """
      orchestrator.transport.max-violations = 3
      orchestrator.transport.messages-per-second = 1
      orchestrator.transport.message-burst = 2
      """;

  @Test
  void burstOfPingsPastMaxViolationsIsRateLimitedAndThenClosedByTheServer() throws Exception {
    try (TestServer server = TestServer.start(RATE_LIMITED);
        Recorder client = Recorder.connect(server, "abusive")) {
      // Twelve pings at once: two fit the burst, and even a slow server refilling one token a second must refuse four.
      client.sendUntilClosed(PING, 12);
      int closeCode = client.awaitClosedByServer();

      for (JsonNode frame : client.replies()) {
        String type = frame.path("type").asText();
        assertTrue(
            type.equals("pong") || type.equals("error") && frame.path("code").asText().equals("rate_limited"),
            "only pongs and rate_limited errors: " + frame);
      }
      // Pekko HTTP closes a completed WebSocket stream with 1000; it cannot send 1008 (policy violation).
      assertEquals(WebSocket.NORMAL_CLOSURE, closeCode);
      await("the closed connection's actor to stop", () -> server.census().connections() == 0);
    }
  }

  @Test
  void clientIsToldEveryRefusalAndThatItIsBeingClosedBeforeTheCloseFrame() throws Exception {
    try (TestServer server = TestServer.start(RATE_LIMITED);
        Recorder client = Recorder.connect(server, "told")) {
      client.sendUntilClosed(PING, 12);
      client.awaitClosedByServer();

      List<JsonNode> frames = client.replies();
      assertEquals("pong", frames.get(0).path("type").asText(), frames.toString());
      assertEquals("pong", frames.get(1).path("type").asText(), frames.toString());
      List<JsonNode> errors = frames.stream().filter(f -> f.path("type").asText().equals("error")).toList();
      assertEquals(4, errors.size(), "max-violations = 3 tolerates three, the fourth closes: " + frames);
      JsonNode last = frames.get(frames.size() - 1);
      assertEquals("rate_limited", last.path("code").asText(), frames.toString());
      assertTrue(last.path("message").asText().contains("closing after 4 violations"), last.toString());
    }
  }

  // --- helpers -----------------------------------------------------------------------------------------------------

  private static WsClient connect(TestServer server, String sessionId) {
    return WsClient.connect(server.ws("/v1/sessions/" + sessionId + "/ws"));
  }

  private static JsonNode create(TestServer server, String sessionId, String payload) {
    TestServer.Reply reply =
        server.post(
            "/v1/sessions/" + sessionId + "/interactions",
            "{\"kind\":\"approve\",\"payload\":" + payload + ",\"timeoutMs\":60000}");
    assertEquals(201, reply.status(), () -> String.valueOf(reply.body()));
    return reply.body();
  }

  private static int connections(TestServer server, String sessionId) {
    return server.get("/v1/sessions/" + sessionId).body().path("connections").size();
  }

  /** Long-polls the interaction until it has an outcome, within the deadline. */
  private static JsonNode awaitOutcome(TestServer server, String sessionId, String id) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (true) {
      JsonNode body = server.get("/v1/sessions/" + sessionId + "/interactions/" + id + "?waitMs=2000").body();
      if (!"pending".equals(body.path("status").asText())) {
        return body;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("interaction still pending after " + DEADLINE.toSeconds() + " s: " + body);
      }
    }
  }

  /** Polls {@code condition} until it holds, failing after {@link #DEADLINE}. */
  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited " + DEADLINE.toSeconds() + " s for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static <T> void complete(CompletableFuture<T> future, T value, Throwable failure) {
    if (failure != null) {
      future.completeExceptionally(failure);
    } else {
      future.complete(value);
    }
  }

  private static JsonNode json(String text) {
    try {
      return WireCodec.mapper().readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A JDK WebSocket listener that keeps every message the server sends, in order, and the code the server closed with.
   * The JDK delivers the close after every message, so once {@link #closed} completes the record is whole.
   */
  private static final class Recorder implements WebSocket.Listener, AutoCloseable {
    final CompletableFuture<JsonNode> first = new CompletableFuture<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    private final StringBuilder text = new StringBuilder();
    private WebSocket socket;

    /** Connects to session {@code sessionId} with a client of its own and waits for the welcome. */
    static Recorder connect(TestServer server, String sessionId) throws Exception {
      Recorder recorder = new Recorder();
      recorder.socket =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(server.ws("/v1/sessions/" + sessionId + "/ws"), recorder)
              .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      JsonNode welcome = recorder.first.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      assertEquals("welcome", welcome.path("type").asText(), welcome.toString());
      return recorder;
    }

    /** Sends {@code message} up to {@code times} times, back to back, stopping once the server has closed. */
    void sendUntilClosed(String message, int times) throws Exception {
      for (int i = 0; i < times && !closed.isDone(); i++) {
        try {
          socket.sendText(message, true).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException outputClosed) {
          return;
        }
      }
    }

    int awaitClosedByServer() throws Exception {
      return closed.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    /** Everything received after the welcome, but the {@code synced} marker that ends the replay. */
    List<JsonNode> replies() {
      return frames.stream().skip(1).filter(frame -> !frame.path("type").asText().equals("synced")).toList();
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        JsonNode frame = json(text.toString());
        text.setLength(0);
        frames.add(frame);
        first.complete(frame);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      first.completeExceptionally(new IllegalStateException("closed (" + statusCode + ") before any message"));
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      first.completeExceptionally(error);
      closed.completeExceptionally(error);
    }

    @Override
    public void close() {
      if (socket != null) {
        socket.abort();
      }
    }
  }
}
