package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interactions.protocol.WireCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable interactions across the death of the server process: an acknowledged request or answer is never lost.
 * The server runs as a child JVM; SIGKILL gives it no chance to flush or say goodbye.
 */
class DurableRecoveryTest {

  private static final int SESSIONS = 20;
  private static final int PER_SESSION = 50;
  private static final String LONG_GRACE = "orchestrator.session.reconnect-grace=10m";

  @TempDir Path data;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final Semaphore inFlight = new Semaphore(32);

  /** An interaction as the server acknowledged it. */
  private record Created(String sessionId, String id, String expiresAt) {}

  @Test
  void onH2AThousandAcknowledgedInteractionsSurviveKillMinus9AndAreAnsweredOnceAfterTheRestart() throws Exception {
    survivesKillMinus9(TestDatabase.h2(data));
  }

  @Test
  void onPostgreSqlAThousandAcknowledgedInteractionsSurviveKillMinus9AndAreAnsweredOnceAfterTheRestart()
      throws Exception {
    survivesKillMinus9(TestDatabase.postgres());
  }

  private void survivesKillMinus9(TestDatabase database) throws Exception {
    String run = Long.toString(System.nanoTime(), 36);
    List<Created> created;
    try (ServerProcess first = ServerProcess.start(data.resolve("first.log"), database.with(LONG_GRACE))) {
      created = createAll(first, run);
      first.kill();
    }
    assertEquals(SESSIONS * PER_SESSION, created.size());

    try (ServerProcess second = ServerProcess.start(data.resolve("second.log"), database.with(LONG_GRACE))) {
      // Two answers race for every interaction while its session is still recovering: exactly one wins.
      Map<String, List<Integer>> statuses = new ConcurrentHashMap<>();
      all(
          created,
          c ->
              CompletableFuture.allOf(
                  answer(second, c, "sse-a").thenAccept(s -> record(statuses, c.id(), s)),
                  answer(second, c, "sse-b").thenAccept(s -> record(statuses, c.id(), s))));
      for (Created c : created) {
        List<Integer> both = statuses.get(c.id());
        assertTrue(both.contains(200) && both.contains(409), c.id() + ": one answer acknowledged, one too late: " + both);
      }
      all(
          created,
          c ->
              send(second, HttpRequest.newBuilder(second.uri(path(c))).GET())
                  .thenAccept(
                      reply -> {
                        JsonNode body = json(reply);
                        assertEquals(200, reply.statusCode(), () -> body + "\n" + logTail(data.resolve("second.log")));
                        assertEquals("answered", body.path("status").asText(), body.toString());
                        assertEquals(c.expiresAt(), body.path("expiresAt").asText(), "the original deadline");
                      }));
    }
  }

  @Test
  void gracefulShutdownLeavesPendingInteractionsPendingForTheNextStart() throws Exception {
    TestDatabase database = TestDatabase.h2(data);
    Created created;
    try (ServerProcess first = ServerProcess.start(data.resolve("first.log"), database.with(LONG_GRACE))) {
      created = create(first, "graceful", 600_000).join();
      first.terminate();
      assertTrue(first.awaitExit(60), "the server exits");
    }
    try (ServerProcess second = ServerProcess.start(data.resolve("second.log"), database.with(LONG_GRACE))) {
      JsonNode body = json(send(second, HttpRequest.newBuilder(second.uri(path(created))).GET()).join());
      assertEquals("pending", body.path("status").asText(), body.toString());
      assertEquals(created.expiresAt(), body.path("expiresAt").asText());
    }
  }

  @Test
  void whileTheDatabaseIsDownRequestsGetAClearErrorAndServiceResumesWhenItIsBack() throws Exception {
    int dbPort = ServerProcess.freePort();
    org.h2.tools.Server h2 = startH2(dbPort);
    List<String> settings =
        List.of(
            "orchestrator.persistence.store=jdbc",
            "orchestrator.persistence.jdbc.url=jdbc:h2:tcp://127.0.0.1:" + dbPort + "/./interactions",
            "orchestrator.api.ask-timeout=8s",
            LONG_GRACE);
    try (ServerProcess server = ServerProcess.start(data.resolve("server.log"), settings.toArray(String[]::new))) {
      Created before = create(server, "outage", 600_000).join();
      // Its deadline passes while the database is down: expiring it fails, and its session stops.
      Created quiet = create(server, "outage-quiet", 3_000).join();

      h2.stop();
      HttpResponse<String> during = send(server, createRequest(server, "outage", 600_000)).join();
      assertEquals(503, during.statusCode(), during.body());
      assertEquals("unavailable", json(during).path("error").path("code").asText(), during.body());
      awaitReadiness(server, 503, List.of("not_ready"));

      h2 = startH2(dbPort);
      Created after = awaitCreated(server, "outage");
      awaitReadiness(server, 200, List.of("ready", "degraded"));

      // Nothing half-written: the session holds exactly what was acknowledged.
      JsonNode state = json(send(server, HttpRequest.newBuilder(server.uri("/v1/sessions/outage")).GET()).join());
      List<String> pending = new ArrayList<>();
      state.path("pending").forEach(p -> pending.add(p.path("id").asText()));
      assertEquals(List.of(before.id(), after.id()), pending, state.toString());

      // Nobody touches the quiet session again: it restarts by itself, recovers, and records the expiry. The history is
      // read from the journal, not from the session, so reading it does not start the session.
      awaitHistoryEntry(server, quiet, "expired");
    } finally {
      h2.stop();
    }
  }

  /** A real H2 server over TCP, which the test can stop and start like a database host going down and up. */
  private org.h2.tools.Server startH2(int port) throws java.sql.SQLException {
    return org.h2.tools.Server.createTcpServer(
            "-tcpPort", Integer.toString(port), "-baseDir", data.toString(), "-ifNotExists")
        .start();
  }

  private void awaitHistoryEntry(ServerProcess server, Created created, String status) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    HttpResponse<String> reply;
    while (!(reply = send(server, HttpRequest.newBuilder(server.uri("/v1/sessions/" + created.sessionId() + "/interactions?status=" + status)).GET()).join())
        .body()
        .contains(created.id())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(created.id() + " never closed as " + status + ": " + reply.body());
      }
      Thread.sleep(500); // the session restarts after orchestrator.persistence.restart-delay
    }
  }

  /** Polls {@code /health/ready} until it answers {@code status} with one of {@code states} as its body's status. */
  private void awaitReadiness(ServerProcess server, int status, List<String> states) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    HttpResponse<String> reply;
    while ((reply = send(server, HttpRequest.newBuilder(server.uri("/health/ready")).GET()).join()).statusCode() != status
        || !states.contains(json(reply).path("status").asText())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("readiness never became " + status + " " + states + ": " + reply.body());
      }
      Thread.sleep(200); // readiness is evaluated per request; nothing to wait on but the database's state
    }
    assertTrue(reply.body().contains("journal"), "the journal check is reported: " + reply.body());
  }

  private Created awaitCreated(ServerProcess server, String sessionId) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (true) {
      HttpResponse<String> reply = send(server, createRequest(server, sessionId, 600_000)).join();
      if (reply.statusCode() == 201) {
        return created(sessionId, reply);
      }
      assertEquals(503, reply.statusCode(), "while the store recovers, only 503: " + reply.body());
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the store never recovered: " + reply.body());
      }
      Thread.sleep(500); // the database pool reconnects on its own schedule
    }
  }

  private List<Created> createAll(ServerProcess server, String run) {
    List<CompletableFuture<Created>> creating = new ArrayList<>();
    for (int s = 0; s < SESSIONS; s++) {
      for (int i = 0; i < PER_SESSION; i++) {
        creating.add(create(server, run + "-s" + s, 600_000));
      }
    }
    List<Created> created = new ArrayList<>();
    creating.forEach(c -> created.add(c.join()));
    return created;
  }

  private CompletableFuture<Created> create(ServerProcess server, String sessionId, long timeoutMs) {
    return send(server, createRequest(server, sessionId, timeoutMs))
        .thenApply(
            reply -> {
              assertEquals(201, reply.statusCode(), reply.body());
              return created(sessionId, reply);
            });
  }

  private static Created created(String sessionId, HttpResponse<String> reply) {
    JsonNode body = json(reply);
    return new Created(sessionId, body.path("id").asText(), body.path("expiresAt").asText());
  }

  private static HttpRequest.Builder createRequest(ServerProcess server, String sessionId, long timeoutMs) {
    return HttpRequest.newBuilder(server.uri("/v1/sessions/" + sessionId + "/interactions"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"kind\":\"approve\",\"payload\":{\"n\":1},\"timeoutMs\":" + timeoutMs + "}"));
  }

  private CompletableFuture<Integer> answer(ServerProcess server, Created c, String connectionId) {
    return send(
            server,
            HttpRequest.newBuilder(server.uri(path(c) + "/answer"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"value\":\"" + connectionId + "\",\"connectionId\":\"" + connectionId + "\"}")))
        .thenApply(HttpResponse::statusCode);
  }

  private static String path(Created c) {
    return "/v1/sessions/" + c.sessionId() + "/interactions/" + c.id();
  }

  private static void record(Map<String, List<Integer>> statuses, String id, int status) {
    statuses.computeIfAbsent(id, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(status);
  }

  /** Runs {@code step} for every interaction, a bounded number at a time, and waits for all. */
  private void all(List<Created> created, Function<Created, CompletableFuture<?>> step) {
    List<CompletableFuture<?>> steps = new ArrayList<>();
    created.forEach(c -> steps.add(step.apply(c)));
    CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new)).join();
  }

  private CompletableFuture<HttpResponse<String>> send(ServerProcess server, HttpRequest.Builder request) {
    inFlight.acquireUninterruptibly();
    return http.sendAsync(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString())
        .whenComplete((reply, failure) -> inFlight.release());
  }

  private static JsonNode json(HttpResponse<String> reply) {
    try {
      return WireCodec.mapper().readTree(reply.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The end of a server's log, for a failure's message (its temporary directory is gone afterwards). */
  private static String logTail(Path log) {
    try {
      String text = java.nio.file.Files.readString(log);
      return text.substring(Math.max(0, text.length() - 4000));
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }
}
