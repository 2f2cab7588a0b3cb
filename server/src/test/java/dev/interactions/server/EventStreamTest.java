package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interactions.protocol.WireCodec;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Server-Sent Events endpoint, read line by line by a real HTTP client, and the POST endpoints its clients answer
 * with. See {@code docs/PROTOCOL.md}, "Server-Sent Events".
 */
class EventStreamTest {

  private static final long DEADLINE_SECONDS = 20;

  private static final Duration POLL_INTERVAL = Duration.ofMillis(10);

  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("orchestrator.transport.heartbeat = 200ms");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void streamIsTextEventStreamAndItsFirstEventIsTheWelcome() {
    try (SseClient stream = SseClient.open(server, "sse-welcome")) {
      SseClient.Event welcome = stream.nextEvent();

      assertEquals(200, stream.status());
      assertEquals(Optional.of("text/event-stream"), stream.contentType());
      assertEquals("welcome", welcome.name());
      JsonNode data = welcome.json();
      assertEquals("welcome", data.path("type").asText());
      assertEquals(1, data.path("protocol").asInt());
      assertEquals("sse-welcome", data.path("sessionId").asText());
      assertTrue(data.path("connectionId").asText().startsWith("sse-"), data.toString());
      assertEquals(200, data.path("heartbeatMs").asLong());
    }
  }

  @Test
  void pendingInteractionsAreReplayedAfterTheWelcomeAndFollowedBySynced() {
    String id = createId("sse-replay");

    try (SseClient stream = SseClient.open(server, "sse-replay")) {
      stream.nextEvent("welcome");
      SseClient.Event replayed = stream.nextEvent("interaction");
      SseClient.Event synced = stream.nextEvent("synced");

      assertEquals(id, replayed.json().path("id").asText());
      assertEquals("{\"type\":\"synced\",\"pending\":1}", synced.data());
    }
  }

  @Test
  void createdInteractionArrivesAsAnInteractionEventWhoseDataIsTheWebSocketFrame() {
    try (SseClient stream = SseClient.open(server, "sse-push");
        WsClient socket = WsClient.connect(server.ws("/v1/sessions/sse-push/ws"))) {
      join(stream);
      socket.next("welcome");
      awaitConnections("sse-push", 2);

      JsonNode created =
          server
              .post("/v1/sessions/sse-push/interactions", "{\"kind\":\"approve\",\"payload\":{\"n\":[1,\"two\"]},\"timeoutMs\":60000}")
              .body();

      SseClient.Event pushed = stream.nextEvent("interaction");
      assertEquals(socket.next("interaction"), pushed.json());
      JsonNode expected =
          WireCodec.mapper()
              .createObjectNode()
              .put("type", "interaction")
              .<ObjectNode>set("id", created.path("id"))
              .<ObjectNode>set("kind", created.path("kind"))
              .<ObjectNode>set("payload", created.path("payload"))
              .<ObjectNode>set("requestedAt", created.path("requestedAt"))
              .set("expiresAt", created.path("expiresAt"));
      assertEquals(expected, pushed.json());
    }
  }

  @Test
  void answerPostedWithTheWelcomeConnectionIdClosesTheInteractionAnsweredByThatConnection() {
    try (SseClient stream = SseClient.open(server, "sse-answer")) {
      String connectionId = join(stream);
      awaitConnections("sse-answer", 1);
      String id = createId("sse-answer");
      assertEquals(id, stream.nextEvent("interaction").json().path("id").asText());

      TestServer.Reply ack =
          server.post(
              "/v1/sessions/sse-answer/interactions/" + id + "/answer",
              "{\"value\":{\"approved\":true},\"connectionId\":\"" + connectionId + "\"}");

      assertEquals(200, ack.status(), ack.toString());
      assertEquals("{\"type\":\"ack\",\"id\":\"" + id + "\"}", ack.body().toString());
      SseClient.Event closed = stream.nextEvent("closed");
      assertEquals("{\"type\":\"closed\",\"id\":\"" + id + "\",\"outcome\":\"answered\"}", closed.data());
      JsonNode outcome = server.get("/v1/sessions/sse-answer/interactions/" + id).body();
      assertEquals("answered", outcome.path("status").asText());
      assertEquals(connectionId, outcome.path("answeredBy").asText());
      assertTrue(outcome.path("value").path("approved").asBoolean(), outcome.toString());
    }
  }

  @Test
  void rejectionPostedByAnSseClientClosesTheInteractionAsRejected() {
    try (SseClient stream = SseClient.open(server, "sse-reject")) {
      String connectionId = join(stream);
      awaitConnections("sse-reject", 1);
      String id = createId("sse-reject");
      stream.nextEvent("interaction");

      TestServer.Reply ack =
          server.post(
              "/v1/sessions/sse-reject/interactions/" + id + "/reject",
              "{\"reason\":\"not me\",\"connectionId\":\"" + connectionId + "\"}");

      assertEquals(200, ack.status(), ack.toString());
      assertEquals("{\"type\":\"closed\",\"id\":\"" + id + "\",\"outcome\":\"rejected\"}", stream.nextEvent("closed").data());
      assertEquals("not me", server.get("/v1/sessions/sse-reject/interactions/" + id).body().path("reason").asText());
    }
  }

  @Test
  void heartbeatCommentLinesArriveWhileTheStreamIsQuiet() {
    try (SseClient stream = SseClient.open(server, "sse-heartbeat")) {
      join(stream);

      String comment = stream.nextComment();

      assertTrue(comment.startsWith(":"), comment);
    }
  }

  @Test
  void clientThatGoesAwayIsDetachedFromItsSessionAndItsConnectionStops() {
    try (SseClient stream = SseClient.open(server, "sse-gone")) {
      join(stream);
      awaitConnections("sse-gone", 1);

      stream.close();

      awaitConnections("sse-gone", 0);
      await(() -> server.census().connections() == 0, () -> "connections still alive: " + server.census().connections());
    }
  }

  @Test
  void invalidSessionIdIs400BeforeAnyEvent() {
    TestServer.Reply reply = server.get("/v1/sessions/not%20valid/events");

    assertEquals(400, reply.status(), reply.toString());
    assertEquals("bad_request", reply.body().path("error").path("code").asText());
    assertTrue(reply.body().path("error").path("message").asText().startsWith("sessionId:"), reply.toString());
  }

  @Test
  void streamPastTheNodeConnectionLimitIs429ConnectionLimit() {
    try (TestServer limited = TestServer.start("orchestrator.transport.max-connections = 1");
        SseClient first = SseClient.open(limited, "sse-node-limit")) {
      first.nextEvent("welcome");

      TestServer.Reply second = limited.get("/v1/sessions/sse-node-limit/events");

      assertEquals(429, second.status(), second.toString());
      assertEquals("connection_limit", second.body().path("error").path("code").asText());
    }
  }

  // --- steps ---------------------------------------------------------------------------------------------------------

  /** Reads the welcome and the (empty) replay's synced marker; returns the connection id. */
  private static String join(SseClient stream) {
    String connectionId = stream.nextEvent("welcome").json().path("connectionId").asText();
    assertEquals("{\"type\":\"synced\",\"pending\":0}", stream.nextEvent("synced").data());
    return connectionId;
  }

  private static String createId(String sessionId) {
    TestServer.Reply reply =
        server.post("/v1/sessions/" + sessionId + "/interactions", "{\"kind\":\"approve\",\"payload\":{},\"timeoutMs\":60000}");
    assertEquals(201, reply.status(), reply.toString());
    return reply.body().path("id").asText();
  }

  private static void awaitConnections(String sessionId, int count) {
    await(
        () -> server.get("/v1/sessions/" + sessionId).body().path("connections").size() == count,
        () -> "session " + sessionId + " never had " + count + " connections: " + server.get("/v1/sessions/" + sessionId).body());
  }

  private static void await(BooleanSupplier condition, Supplier<String> failure) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(failure.get());
      }
      // Paces the polls so that they do not starve the server of the CPU it needs; the deadline bounds the wait.
      LockSupport.parkNanos(POLL_INTERVAL.toNanos());
    }
  }
}
