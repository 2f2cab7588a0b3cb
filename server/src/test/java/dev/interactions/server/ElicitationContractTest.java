package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interactions.protocol.WireCodec;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MCP elicitation endpoint over real sockets: an MCP host's form-mode elicitation goes to the person's device
 * (a WebSocket here) and MCP's result comes back. See {@code docs/PROTOCOL.md}, "MCP elicitation".
 */
class ElicitationContractTest {

  private static final String SCHEMA =
      "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"minLength\":2},"
          + "\"size\":{\"type\":\"string\",\"oneOf\":[{\"const\":\"s\",\"title\":\"Small\"},{\"const\":\"l\",\"title\":\"Large\"}]}},"
          + "\"required\":[\"name\"]}";

  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void anAnsweredElicitationIsAcceptedWithTheAnswerAsItsContentUnchanged() throws Exception {
    try (WsClient device = WsClient.joined(server, "mcp-accept")) {
      CompletableFuture<TestServer.Reply> result = elicit("mcp-accept", "");
      JsonNode shown = device.next("interaction");
      assertEquals("form", shown.path("kind").asText());
      assertEquals("Who are you?", shown.path("payload").path("message").asText());
      assertEquals(json(SCHEMA), shown.path("answerSchema"));
      String id = shown.path("id").asText();
      // An answer that does not fit is refused to the device; the host keeps waiting.
      device.send("{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":{\"name\":\"A\"}}");
      assertEquals("invalid_answer", device.next("error").path("code").asText());
      assertFalse(result.isDone());

      device.send("{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":{\"name\":\"Ann\",\"size\":\"l\"}}");

      TestServer.Reply reply = result.get(30, TimeUnit.SECONDS);
      assertEquals(200, reply.status(), reply.toString());
      assertEquals("accept", reply.body().path("action").asText());
      assertEquals(json("{\"name\":\"Ann\",\"size\":\"l\"}"), reply.body().path("content"));
      assertEquals(id, reply.body().path("_meta").path("dev.interactions/interactionId").asText());
      assertEquals("answered", reply.body().path("_meta").path("dev.interactions/outcome").asText());
    }
  }

  @Test
  void aRejectionIsADeclineAndAnExpiryOrACancelIsACancel() throws Exception {
    try (WsClient device = WsClient.joined(server, "mcp-other")) {
      CompletableFuture<TestServer.Reply> declined = elicit("mcp-other", "");
      String id = device.next("interaction").path("id").asText();
      device.send("{\"type\":\"reject\",\"id\":\"" + id + "\",\"reason\":\"no\"}");
      JsonNode decline = declined.get(30, TimeUnit.SECONDS).body();
      assertEquals("decline", decline.path("action").asText(), decline.toString());
      assertFalse(decline.has("content"));
      device.next("ack");
      device.next("closed");

      JsonNode expired = elicit("mcp-other", ",\"timeoutMs\":300").get(30, TimeUnit.SECONDS).body();
      assertEquals("cancel", expired.path("action").asText(), expired.toString());
      assertEquals("expired", expired.path("_meta").path("dev.interactions/outcome").asText());
      device.next("interaction");
      device.next("closed");

      CompletableFuture<TestServer.Reply> cancelled = elicit("mcp-other", "");
      String third = device.next("interaction").path("id").asText();
      server.delete("/v1/sessions/mcp-other/interactions/" + third);
      JsonNode cancel = cancelled.get(30, TimeUnit.SECONDS).body();
      assertEquals("cancel", cancel.path("action").asText(), cancel.toString());
      assertEquals("cancelled", cancel.path("_meta").path("dev.interactions/outcome").asText());
    }
  }

  @Test
  void aPersonWhoTakesLongerThanOneWaitIsReadBackByTheElicitationsId() throws Exception {
    try (WsClient device = WsClient.joined(server, "mcp-later")) {
      TestServer.Reply pending =
          server.post("/v1/sessions/mcp-later/elicitations?waitMs=0", body(",\"timeoutMs\":600000"));
      assertEquals(202, pending.status(), pending.toString());
      assertEquals("pending", pending.body().path("status").asText());
      String id = pending.body().path("id").asText();
      assertEquals(id, device.next("interaction").path("id").asText());
      assertEquals(202, server.get("/v1/sessions/mcp-later/elicitations/" + id + "?waitMs=0").status());

      CompletableFuture<TestServer.Reply> later =
          CompletableFuture.supplyAsync(() -> server.get("/v1/sessions/mcp-later/elicitations/" + id + "?waitMs=30000"));
      device.send("{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":{\"name\":\"Bo\"}}");

      TestServer.Reply reply = later.get(40, TimeUnit.SECONDS);
      assertEquals(200, reply.status(), reply.toString());
      assertEquals("accept", reply.body().path("action").asText());
      assertEquals(json("{\"name\":\"Bo\"}"), reply.body().path("content"));
    }
  }

  @Test
  void badElicitationsAreRefusedNamingTheirFieldAsMcpSpellsIt() {
    assertBadRequest("{\"requestedSchema\":" + SCHEMA + "}", "message: is required");
    assertBadRequest("{\"message\":\"m\"}", "requestedSchema: is required");
    assertBadRequest("{\"mode\":\"url\",\"message\":\"m\",\"requestedSchema\":" + SCHEMA + "}", "mode: only \"form\" is supported");
    assertBadRequest(
        "{\"message\":\"m\",\"requestedSchema\":{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"object\"}}}}",
        "requestedSchema/properties/n/type: must be one of string, number, integer, boolean, array");
    TestServer.Reply withMeta =
        server.post(
            "/v1/sessions/mcp-meta/elicitations?waitMs=0",
            "{\"message\":\"m\",\"requestedSchema\":" + SCHEMA + ",\"_meta\":{\"progressToken\":1}}");
    assertEquals(202, withMeta.status(), "MCP's own _meta is accepted: " + withMeta);
  }

  // --- steps ---------------------------------------------------------------------------------------------------------


  private static String body(String more) {
    return "{\"mode\":\"form\",\"message\":\"Who are you?\",\"requestedSchema\":" + SCHEMA + more + "}";
  }

  /** Posts an elicitation and waits for its result in the background, as an MCP host does. */
  private static CompletableFuture<TestServer.Reply> elicit(String sessionId, String more) {
    return CompletableFuture.supplyAsync(() -> server.post("/v1/sessions/" + sessionId + "/elicitations", body(more)));
  }

  private static void assertBadRequest(String body, String message) {
    TestServer.Reply reply = server.post("/v1/sessions/mcp-bad/elicitations", body);
    assertEquals(400, reply.status(), reply.toString());
    assertTrue(reply.body().path("error").path("message").asText().startsWith(message), reply.toString());
  }

  private static JsonNode json(String text) {
    try {
      return WireCodec.mapper().readTree(text);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
