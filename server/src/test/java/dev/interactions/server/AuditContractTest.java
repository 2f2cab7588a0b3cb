package dev.interactions.server;

import static dev.interactions.server.TestServer.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interactions.transport.auth.TestTokens;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The verified audit, with auth on, over real sockets: who answered is the token's subject and the connection the server
 * opened for it, never what a client claims. See {@code docs/PROTOCOL.md}, "Verified audit".
 */
class AuditContractTest {

  private static final String SECRET = TestTokens.SECRET;
  private static final String REQUESTER = TestTokens.requester(SECRET, "backend");

  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.startWithJwt();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void anAnswerOverAWebSocketIsAuditedAsItsSubjectConnectionAndDevice() {
    String alice = TestTokens.client(SECRET, "alice", "audit-ws");
    try (WsClient phone =
        WsClient.connect(
            server.ws("/v1/sessions/audit-ws/ws"), "Authorization", "Bearer " + alice, "User-Agent", "AlicePhone/1.0")) {
      String phoneId = phone.next("welcome").path("connectionId").asText();
      phone.next("synced");
      String id = create("audit-ws").path("id").asText();
      phone.next("interaction");
      phone.send("{\"type\":\"shown\",\"id\":\"" + id + "\"}");
      phone.next("shown");

      phone.send("{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":{\"approved\":true}}");
      phone.next("ack");

      JsonNode read = read("audit-ws", id);
      JsonNode audit = read.path("audit");
      assertEquals("alice", audit.path("subject").asText(), read.toString());
      assertEquals(phoneId, audit.path("connectionId").asText());
      assertEquals("websocket", audit.path("transport").asText());
      assertEquals("AlicePhone/1.0", audit.path("userAgent").asText());
      Instant requestedAt = Instant.parse(read.path("requestedAt").asText());
      Instant shownAt = Instant.parse(audit.path("shownAt").asText());
      Instant answeredAt = Instant.parse(audit.path("answeredAt").asText());
      assertEquals(Duration.between(requestedAt, shownAt).toMillis(), audit.path("timeToShowMs").asLong());
      assertEquals(Duration.between(requestedAt, answeredAt).toMillis(), audit.path("timeToAnswerMs").asLong());
      assertTrue(!shownAt.isAfter(answeredAt), read.toString());
      assertEquals(phoneId, read.path("answeredBy").asText());
    }
  }

  @Test
  void anHttpAnswerNamingSomeoneElsesConnectionIsAuditedAsItsOwnCaller() {
    String alice = TestTokens.client(SECRET, "alice", "audit-spoof");
    String mallory = TestTokens.client(SECRET, "mallory", "audit-spoof");
    try (WsClient phone =
        WsClient.connect(server.ws("/v1/sessions/audit-spoof/ws"), "Authorization", "Bearer " + alice)) {
      String phoneId = phone.next("welcome").path("connectionId").asText();
      phone.next("synced");
      String id = create("audit-spoof").path("id").asText();
      phone.next("interaction");

      TestServer.Reply spoofed =
          server.post(
              "/v1/sessions/audit-spoof/interactions/" + id + "/answer",
              "{\"value\":{\"approved\":true},\"connectionId\":\"" + phoneId + "\"}",
              bearer(mallory));

      assertEquals(200, spoofed.status(), spoofed.toString());
      JsonNode read = read("audit-spoof", id);
      assertEquals("http:mallory", read.path("answeredBy").asText(), "not the phone it named: " + read);
      assertEquals("mallory", read.path("audit").path("subject").asText());
      assertEquals("http:mallory", read.path("audit").path("connectionId").asText());
      assertEquals("http", read.path("audit").path("transport").asText());
      assertFalse(read.path("audit").has("shownAt"), "never shown");
    }
  }

  @Test
  void anEventStreamDeviceAnsweringOverHttpIsAuditedAsItsOwnStream() {
    String bob = TestTokens.client(SECRET, "bob", "audit-sse");
    try (SseClient laptop = SseClient.open(server, "audit-sse", bob)) {
      String laptopId = laptop.nextEvent("welcome").json().path("connectionId").asText();
      laptop.nextEvent("synced");
      String id = create("audit-sse").path("id").asText();
      laptop.nextEvent("interaction");

      TestServer.Reply answered =
          server.post(
              "/v1/sessions/audit-sse/interactions/" + id + "/answer",
              "{\"value\":1,\"connectionId\":\"" + laptopId + "\"}",
              bearer(bob));

      assertEquals(200, answered.status(), answered.toString());
      JsonNode read = read("audit-sse", id);
      assertEquals(laptopId, read.path("answeredBy").asText(), read.toString());
      assertEquals(laptopId, read.path("audit").path("connectionId").asText());
      assertEquals("sse", read.path("audit").path("transport").asText());
      assertEquals("bob", read.path("audit").path("subject").asText());
    }
  }

  // --- steps ---------------------------------------------------------------------------------------------------------

  private static JsonNode create(String sessionId) {
    TestServer.Reply reply =
        server.post(
            "/v1/sessions/" + sessionId + "/interactions",
            "{\"kind\":\"approve\",\"payload\":{},\"timeoutMs\":60000}",
            bearer(REQUESTER));
    assertEquals(201, reply.status(), reply.toString());
    return reply.body();
  }

  private static JsonNode read(String sessionId, String id) {
    TestServer.Reply reply = server.get("/v1/sessions/" + sessionId + "/interactions/" + id, bearer(REQUESTER));
    assertEquals(200, reply.status(), reply.toString());
    return reply.body();
  }
}
