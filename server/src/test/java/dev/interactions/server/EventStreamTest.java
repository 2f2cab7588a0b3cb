package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interactions.protocol.WireCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
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

  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

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
    try (EventStream stream = EventStream.open("sse-welcome")) {
      Event welcome = stream.nextEvent();

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

    try (EventStream stream = EventStream.open("sse-replay")) {
      stream.nextEvent("welcome");
      Event replayed = stream.nextEvent("interaction");
      Event synced = stream.nextEvent("synced");

      assertEquals(id, replayed.json().path("id").asText());
      assertEquals("{\"type\":\"synced\",\"pending\":1}", synced.data());
    }
  }

  @Test
  void createdInteractionArrivesAsAnInteractionEventWhoseDataIsTheWebSocketFrame() {
    try (EventStream stream = EventStream.open("sse-push");
        WsClient socket = WsClient.connect(server.ws("/v1/sessions/sse-push/ws"))) {
      join(stream);
      socket.next("welcome");
      awaitConnections("sse-push", 2);

      JsonNode created =
          server
              .post("/v1/sessions/sse-push/interactions", "{\"kind\":\"approve\",\"payload\":{\"n\":[1,\"two\"]},\"timeoutMs\":60000}")
              .body();

      Event pushed = stream.nextEvent("interaction");
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
    try (EventStream stream = EventStream.open("sse-answer")) {
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
      Event closed = stream.nextEvent("closed");
      assertEquals("{\"type\":\"closed\",\"id\":\"" + id + "\",\"outcome\":\"answered\"}", closed.data());
      JsonNode outcome = server.get("/v1/sessions/sse-answer/interactions/" + id).body();
      assertEquals("answered", outcome.path("status").asText());
      assertEquals(connectionId, outcome.path("answeredBy").asText());
      assertTrue(outcome.path("value").path("approved").asBoolean(), outcome.toString());
    }
  }

  @Test
  void rejectionPostedByAnSseClientClosesTheInteractionAsRejected() {
    try (EventStream stream = EventStream.open("sse-reject")) {
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
    try (EventStream stream = EventStream.open("sse-heartbeat")) {
      join(stream);

      String comment = stream.nextComment();

      assertTrue(comment.startsWith(":"), comment);
    }
  }

  @Test
  void clientThatGoesAwayIsDetachedFromItsSessionAndItsConnectionStops() {
    try (EventStream stream = EventStream.open("sse-gone")) {
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
        EventStream first = EventStream.open(limited, "sse-node-limit")) {
      first.nextEvent("welcome");

      TestServer.Reply second = limited.get("/v1/sessions/sse-node-limit/events");

      assertEquals(429, second.status(), second.toString());
      assertEquals("connection_limit", second.body().path("error").path("code").asText());
    }
  }

  // --- steps ---------------------------------------------------------------------------------------------------------

  /** Reads the welcome and the (empty) replay's synced marker; returns the connection id. */
  private static String join(EventStream stream) {
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

  /** One dispatched Server-Sent Event: its name ({@code message} when it has none) and its data. */
  private record Event(String name, String data) {
    JsonNode json() {
      try {
        return WireCodec.mapper().readTree(data);
      } catch (IOException e) {
        throw new AssertionError("event data is not JSON: " + data, e);
      }
    }
  }

  /** An open event stream, read line by line on a background thread into a queue. */
  private static final class EventStream implements AutoCloseable {

    private static final String END = "\u0000end of stream";

    private final HttpResponse<InputStream> response;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private EventStream(HttpResponse<InputStream> response) {
      this.response = response;
      Thread reader = new Thread(this::read, "sse-reader");
      reader.setDaemon(true);
      reader.start();
    }

    static EventStream open(String sessionId) {
      return open(server, sessionId);
    }

    static EventStream open(TestServer target, String sessionId) {
      HttpRequest request =
          HttpRequest.newBuilder(target.http("/v1/sessions/" + sessionId + "/events"))
              .header("Accept", "text/event-stream")
              .GET()
              .build();
      try {
        return new EventStream(
            HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
                .orTimeout(DEADLINE_SECONDS, TimeUnit.SECONDS)
                .join());
      } catch (RuntimeException e) {
        throw new AssertionError("the event stream did not open", e);
      }
    }

    int status() {
      return response.statusCode();
    }

    Optional<String> contentType() {
      return response.headers().firstValue("Content-Type");
    }

    /** The next dispatched event; comments and events without data (which SSE does not dispatch) are skipped. */
    Event nextEvent() {
      List<String> seen = new ArrayList<>();
      String name = null;
      StringBuilder data = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
      while (true) {
        String line = nextLine(deadline, seen, "event");
        if (line.isEmpty()) {
          if (data != null && data.length() > 0) {
            return new Event(name == null ? "message" : name, data.toString());
          }
          name = null;
          data = null;
        } else if (!line.startsWith(":")) {
          int colon = line.indexOf(':');
          String field = colon < 0 ? line : line.substring(0, colon);
          String value = colon < 0 ? "" : line.substring(colon + 1);
          value = value.startsWith(" ") ? value.substring(1) : value;
          if (field.equals("event")) {
            name = value;
          } else if (field.equals("data")) {
            data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
          }
        }
      }
    }

    /** The next dispatched event, which must be named {@code name}. */
    Event nextEvent(String name) {
      Event next = nextEvent();
      if (!next.name().equals(name)) {
        throw new AssertionError("expected a " + name + " event, got " + next);
      }
      return next;
    }

    /** The next comment line (one starting with {@code :}). */
    String nextComment() {
      List<String> seen = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
      while (true) {
        String line = nextLine(deadline, seen, "comment line");
        if (line.startsWith(":")) {
          return line;
        }
      }
    }

    private String nextLine(long deadline, List<String> seen, String wanted) {
      try {
        String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (line == null || line.equals(END)) {
          lines.offer(END);
          throw new AssertionError(
              "no "
                  + wanted
                  + (line == null ? " within " + DEADLINE_SECONDS + " s" : " before the stream ended")
                  + "; the last lines were "
                  + seen.subList(Math.max(0, seen.size() - 12), seen.size()));
        }
        seen.add(line);
        return line;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    private void read() {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException | UncheckedIOException e) {
        // Closed by close(), or the server ended the stream.
      } finally {
        lines.add(END);
      }
    }

    /** Goes away: the response body is closed, which cancels the exchange and drops the connection. Idempotent. */
    @Override
    public void close() {
      try {
        response.body().close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
