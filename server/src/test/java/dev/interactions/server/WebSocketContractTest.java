package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.WebSocketHandshakeException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The WebSocket contract, frame by frame, with the JDK's WebSocket client over a real socket. */
class WebSocketContractTest {

  private static TestServer server;

  @BeforeAll
  static void start() {
    server =
        TestServer.start(
            """
            orchestrator.transport.max-message-size = 1KiB
            orchestrator.transport.heartbeat = 5s
            """);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void welcomeComesFirstThenEveryPendingInteractionIsReplayed() {
    String id = create("replay", "{\"step\":1}").path("id").asText();

    try (WsClient client = connect("replay")) {
      JsonNode welcome = client.next("welcome");
      assertEquals(1, welcome.path("protocol").asInt());
      assertEquals("replay", welcome.path("sessionId").asText());
      assertTrue(welcome.path("connectionId").asText().startsWith("websocket-"));
      assertEquals(5000, welcome.path("heartbeatMs").asLong());
      JsonNode replayed = client.next("interaction");
      assertEquals(id, replayed.path("id").asText());
      assertEquals("approve", replayed.path("kind").asText());
      assertEquals(1, replayed.path("payload").path("step").asInt());
      assertTrue(replayed.path("requestedAt").isTextual() && replayed.path("expiresAt").isTextual());
    }
  }

  @Test
  void syncedMarksTheEndOfTheReplayWithItsCount() {
    create("synced", "{}");
    create("synced", "{}");

    try (WsClient client = connect("synced")) {
      client.next("welcome");
      client.next("interaction");
      client.next("interaction");
      assertEquals(2, client.next("synced").path("pending").asInt());
    }
  }

  @Test
  void syncedWithNothingPendingComesRightAfterTheWelcome() {
    try (WsClient client = connect("synced-empty")) {
      client.next("welcome");
      assertEquals(0, client.next("synced").path("pending").asInt());
    }
  }

  @Test
  void newInteractionIsPushedToEveryConnectionOfTheSession() {
    try (WsClient phone = connect("push");
        WsClient laptop = connect("push")) {
      phone.next("welcome");
      laptop.next("welcome");
      awaitConnections("push", 2);

      String id = create("push", "{}").path("id").asText();

      assertEquals(id, phone.next("interaction").path("id").asText());
      assertEquals(id, laptop.next("interaction").path("id").asText());
    }
  }

  @Test
  void answerIsAcknowledgedEveryConnectionIsToldAndTheRequesterSeesTheValue() {
    try (WsClient phone = connect("answer");
        WsClient laptop = connect("answer")) {
      String phoneId = phone.next("welcome").path("connectionId").asText();
      laptop.next("welcome");
      awaitConnections("answer", 2);
      String id = create("answer", "{}").path("id").asText();
      phone.next("interaction");
      laptop.next("interaction");

      phone.send("{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":{\"approved\":true},\"ref\":\"r1\"}");

      JsonNode ack = phone.next("ack");
      JsonNode closedOnPhone = phone.next("closed");
      assertEquals(id, ack.path("id").asText());
      assertEquals("r1", ack.path("ref").asText());
      assertEquals("answered", closedOnPhone.path("outcome").asText());
      JsonNode closedOnLaptop = laptop.next("closed");
      assertEquals(id, closedOnLaptop.path("id").asText());
      assertEquals("answered", closedOnLaptop.path("outcome").asText());
      JsonNode outcome = server.get("/v1/sessions/answer/interactions/" + id).body();
      assertEquals("answered", outcome.path("status").asText());
      assertTrue(outcome.path("value").path("approved").asBoolean());
      assertEquals(phoneId, outcome.path("answeredBy").asText());
    }
  }

  @Test
  void secondAnswerGetsAlreadyClosedWithItsIdAndRef() {
    try (WsClient first = connect("race");
        WsClient second = connect("race")) {
      first.next("welcome");
      second.next("welcome");
      awaitConnections("race", 2);
      String id = create("race", "{}").path("id").asText();
      first.next("interaction");
      second.next("interaction");

      first.send("{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":1}");
      awaitStatus("race", id, "answered");
      second.send("{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":2,\"ref\":\"late\"}");

      JsonNode error = nextOfType(second, "error");
      assertEquals("already_closed", error.path("code").asText());
      assertEquals(id, error.path("id").asText());
      assertEquals("late", error.path("ref").asText());
      assertEquals(1, server.get("/v1/sessions/race/interactions/" + id).body().path("value").asInt());
    }
  }

  @Test
  void rejectionEndsTheInteractionAsRejectedWithItsReason() {
    try (WsClient client = connect("reject")) {
      client.next("welcome");
      awaitConnections("reject", 1);
      String id = create("reject", "{}").path("id").asText();
      client.next("interaction");

      client.send("{\"type\":\"reject\",\"id\":\"" + id + "\",\"reason\":\"not today\"}");

      assertEquals(id, client.next("ack").path("id").asText());
      JsonNode outcome = awaitStatus("reject", id, "rejected");
      assertEquals("not today", outcome.path("reason").asText());
    }
  }

  @Test
  void pingIsAnsweredWithPong() {
    try (WsClient client = connect("ping")) {
      client.next("welcome");

      client.send("{\"type\":\"ping\"}");

      assertEquals("{\"type\":\"pong\"}", client.next("pong").toString());
    }
  }

  @Test
  void malformedJsonGetsBadMessageAndTheConnectionStaysUp() {
    try (WsClient client = connect("malformed")) {
      client.next("welcome");

      client.send("{not json");

      assertEquals("bad_message", client.next("error").path("code").asText());
      client.send("{\"type\":\"ping\"}");
      client.next("pong");
    }
  }

  @Test
  void unknownTypeGetsBadMessageNamingTheTypeField() {
    try (WsClient client = connect("unknown-type")) {
      client.next("welcome");

      client.send("{\"type\":\"subscribe\"}");

      JsonNode error = client.next("error");
      assertEquals("bad_message", error.path("code").asText());
      assertTrue(error.path("message").asText().startsWith("type:"), error.toString());
    }
  }

  @Test
  void unknownFieldGetsBadMessageNamingTheField() {
    try (WsClient client = connect("unknown-field")) {
      client.next("welcome");

      client.send("{\"type\":\"ping\",\"extra\":true}");

      assertTrue(client.next("error").path("message").asText().startsWith("extra:"));
    }
  }

  @Test
  void answerForAnUnknownInteractionGetsUnknownInteraction() {
    try (WsClient client = connect("unknown-id")) {
      client.next("welcome");

      client.send("{\"type\":\"answer\",\"id\":\"nope\",\"value\":true,\"ref\":\"x\"}");

      JsonNode error = client.next("error");
      assertEquals("unknown_interaction", error.path("code").asText());
      assertEquals("nope", error.path("id").asText());
      assertEquals("x", error.path("ref").asText());
    }
  }

  @Test
  void binaryMessageGetsBadMessage() {
    try (WsClient client = connect("binary")) {
      client.next("welcome");

      client.sendBinary(new byte[] {1, 2, 3});

      assertEquals("bad_message", client.next("error").path("code").asText());
    }
  }

  @Test
  void messageOverTheSizeLimitGetsTooLargeAndTheConnectionStaysUp() {
    try (WsClient client = connect("too-large")) {
      client.next("welcome");

      client.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(2048) + "\"}");

      assertEquals("too_large", client.next("error").path("code").asText());
      client.send("{\"type\":\"ping\"}");
      client.next("pong");
    }
  }

  @Test
  void invalidSessionIdIsRefusedWith400BeforeTheUpgrade() {
    CompletionException failure =
        assertThrows(CompletionException.class, () -> WsClient.connect(server.ws("/v1/sessions/not%20valid/ws")));

    WebSocketHandshakeException handshake = assertInstanceOf(WebSocketHandshakeException.class, failure.getCause());
    assertEquals(400, handshake.getResponse().statusCode());
  }

  @Test
  void plainHttpRequestToTheWebSocketPathGetsAJsonError() {
    TestServer.Reply reply = server.get("/v1/sessions/plain/ws");

    assertEquals(400, reply.status());
    assertTrue(reply.body().path("error").path("message").isTextual(), reply.toString());
  }

  // --- steps ---------------------------------------------------------------------------------------------------------

  private static WsClient connect(String sessionId) {
    return WsClient.connect(server.ws("/v1/sessions/" + sessionId + "/ws"));
  }

  private static JsonNode create(String sessionId, String payload) {
    TestServer.Reply reply =
        server.post(
            "/v1/sessions/" + sessionId + "/interactions",
            "{\"kind\":\"approve\",\"payload\":" + payload + ",\"timeoutMs\":60000}");
    assertEquals(201, reply.status(), reply.toString());
    return reply.body();
  }

  /** Waits until the session lists {@code count} connections, so pushes reach all of them. */
  private static void awaitConnections(String sessionId, int count) {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (server.get("/v1/sessions/" + sessionId).body().path("connections").size() != count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("session " + sessionId + " never had " + count + " connections");
      }
      Thread.onSpinWait();
    }
  }

  private static JsonNode awaitStatus(String sessionId, String id, String status) {
    JsonNode body = server.get("/v1/sessions/" + sessionId + "/interactions/" + id + "?waitMs=10000").body();
    assertEquals(status, body.path("status").asText(), body.toString());
    return body;
  }

  /** The next message of {@code type}, skipping {@code closed} events that may interleave with replies. */
  private static JsonNode nextOfType(WsClient client, String type) {
    JsonNode next = client.next();
    while (!next.path("type").asText().equals(type)) {
      assertEquals("closed", next.path("type").asText(), "unexpected " + next);
      next = client.next();
    }
    return next;
  }
}
