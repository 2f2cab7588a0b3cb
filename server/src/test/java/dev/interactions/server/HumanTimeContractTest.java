package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Human time over real sockets: {@code shown}, delivery deadlines, {@code extend} with its cap, and what an interaction
 * does while no device is connected. See {@code docs/PROTOCOL.md}, "Human time".
 */
class HumanTimeContractTest {

  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("orchestrator.session.reconnect-grace = 200ms");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void theFirstShownIsRecordedAndEveryDeviceIsToldWhoShowedIt() {
    try (WsClient phone = WsClient.connect(server.ws("/v1/sessions/shown/ws"));
        WsClient laptop = WsClient.joined(server, "shown")) {
      String phoneId = phone.next("welcome").path("connectionId").asText();
      phone.next("synced");
      server.awaitConnections("shown", 2);
      String id = create("shown", "").path("id").asText();
      phone.next("interaction");
      laptop.next("interaction");

      phone.send("{\"type\":\"shown\",\"id\":\"" + id + "\"}");

      JsonNode toLaptop = laptop.next("shown");
      assertEquals(id, toLaptop.path("id").asText());
      assertEquals(phoneId, toLaptop.path("by").asText());
      assertEquals(phoneId, phone.next("shown").path("by").asText());
      laptop.send("{\"type\":\"shown\",\"id\":\"" + id + "\"}"); // shown already: changes nothing
      phone.send("{\"type\":\"shown\",\"id\":\"no-such\"}");
      assertEquals("unknown_interaction", phone.next("error").path("code").asText());
      server.delete("/v1/sessions/shown/interactions/" + id);
      assertEquals("closed", laptop.next().path("type").asText(), "no second shown frame came before the close");
    }
  }

  @Test
  void anInteractionNoDeviceShowedInTimeEndsUndelivered() {
    try (WsClient device = WsClient.joined(server, "undelivered")) {
      String id = create("undelivered", ",\"deliveryTimeoutMs\":300").path("id").asText();
      device.next("interaction"); // received, but never reported shown

      JsonNode closed = device.next("closed");

      assertEquals("undelivered", closed.path("outcome").asText());
      assertEquals("undelivered", server.get("/v1/sessions/undelivered/interactions/" + id).body().path("status").asText());
    }
  }

  @Test
  void extendingMovesTheDeadlineUpToMaxTimeoutAndTheRequesterSeesIt() {
    try (WsClient phone = WsClient.joined(server, "extend");
        WsClient laptop = WsClient.joined(server, "extend")) {
      server.awaitConnections("extend", 2);
      JsonNode created = create("extend", ",\"maxTimeoutMs\":600000");
      String id = created.path("id").asText();
      JsonNode shown = phone.next("interaction");
      assertEquals(
          Instant.parse(created.path("requestedAt").asText()).plusSeconds(600),
          Instant.parse(shown.path("extendableUntil").asText()),
          "devices know how far they may extend it");
      laptop.next("interaction");

      phone.send("{\"type\":\"extend\",\"id\":\"" + id + "\",\"byMs\":300000,\"ref\":\"e1\"}");

      assertEquals("e1", phone.next("ack").path("ref").asText());
      JsonNode extended = laptop.next("extended");
      Instant expiresAt = Instant.parse(extended.path("expiresAt").asText());
      assertTrue(expiresAt.isAfter(Instant.parse(created.path("expiresAt").asText())), extended.toString());
      assertEquals(
          expiresAt, Instant.parse(server.get("/v1/sessions/extend/interactions/" + id).body().path("expiresAt").asText()));

      phone.send("{\"type\":\"extend\",\"id\":\"" + id + "\",\"byMs\":7200000}");
      Instant capped = Instant.parse(laptop.next("extended").path("expiresAt").asText());
      assertEquals(Instant.parse(created.path("requestedAt").asText()).plusSeconds(600), capped);
      phone.send("{\"type\":\"extend\",\"id\":\"" + id + "\",\"byMs\":0}");
      JsonNode next = phone.next();
      while (!next.path("type").asText().equals("error")) {
        assertTrue(next.path("type").asText().matches("ack|extended"), "unexpected " + next);
        next = phone.next();
      }
      assertTrue(next.path("message").asText().startsWith("byMs"), "bad input is named: " + next);
    }
  }

  @Test
  void anEventStreamDeviceReportsShownAndExtendsOverHttp() {
    try (SseClient device = SseClient.open(server, "sse-human")) {
      String connectionId = device.nextEvent("welcome").json().path("connectionId").asText();
      device.nextEvent("synced");
      String id = create("sse-human", ",\"deliveryTimeoutMs\":60000,\"maxTimeoutMs\":600000").path("id").asText();
      device.nextEvent("interaction");
      String at = "/v1/sessions/sse-human/interactions/" + id;

      assertEquals(200, server.post(at + "/shown", "{\"connectionId\":\"" + connectionId + "\"}").status());
      assertEquals(connectionId, device.nextEvent("shown").json().path("by").asText());
      TestServer.Reply extended = server.post(at + "/extend", "{\"byMs\":120000,\"connectionId\":\"" + connectionId + "\"}");
      assertEquals(200, extended.status(), extended.toString());
      assertEquals(id, device.nextEvent("extended").json().path("id").asText());
      assertEquals(404, server.post("/v1/sessions/sse-human/interactions/nope/shown", "{}").status());
      assertEquals(400, server.post(at + "/extend", "{\"byMs\":-1}").status());
    }
  }

  @Test
  void withNoDeviceARequestWaitsByDefaultAndFailsOnlyWhenToldTo() {
    JsonNode failed = server.post("/v1/sessions/nobody/interactions", body(",\"whenNoDevice\":\"fail\"")).body();
    assertEquals("undelivered", failed.path("status").asText(), failed.toString());
    JsonNode grace = create("nobody", ",\"whenNoDevice\":\"grace\"");
    String waiting = create("nobody", "").path("id").asText();
    assertEquals(
        "disconnected",
        server.get("/v1/sessions/nobody/interactions/" + grace.path("id").asText() + "?waitMs=20000").body().path("status").asText());

    try (WsClient late = WsClient.connect(server.ws("/v1/sessions/nobody/ws"))) {
      late.next("welcome");
      assertEquals(waiting, late.next("interaction").path("id").asText(), "still pending for the person who comes later");
    }
    assertEquals(400, server.post("/v1/sessions/nobody/interactions", body(",\"whenNoDevice\":\"sometimes\"")).status());
    assertEquals(400, server.post("/v1/sessions/nobody/interactions", body(",\"deliveryTimeoutMs\":90000")).status());
    assertEquals(400, server.post("/v1/sessions/nobody/interactions", body(",\"maxTimeoutMs\":1000")).status());
    server.delete("/v1/sessions/nobody/interactions/" + waiting);
  }

  // --- steps ---------------------------------------------------------------------------------------------------------


  private static String body(String more) {
    return "{\"kind\":\"approve\",\"payload\":{},\"timeoutMs\":60000" + more + "}";
  }

  private static JsonNode create(String sessionId, String more) {
    TestServer.Reply reply = server.post("/v1/sessions/" + sessionId + "/interactions", body(more));
    assertEquals(201, reply.status(), reply.toString());
    return reply.body();
  }

}
