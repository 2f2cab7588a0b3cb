package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interactions.protocol.WireCodec;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Standard kinds and answer schemas over real sockets: requests over HTTP, answers over a WebSocket, and over HTTP
 * as event-stream clients answer. See {@code docs/PROTOCOL.md}, "Standard kinds" and "Answer schemas".
 */
class AnswerSchemaContractTest {

  private static final String FORM_SCHEMA =
      "{\"type\":\"object\",\"properties\":{\"email\":{\"type\":\"string\",\"format\":\"email\"},"
          + "\"age\":{\"type\":\"integer\",\"minimum\":18}},\"required\":[\"email\",\"age\"]}";

  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** One request of a standard kind and an answer that fits it. */
  private record Asked(String kind, String payload, String answerSchema, String answer) {}

  @Test
  void everyStandardKindIsAnsweredOverTheWebSocketAndTheRequesterReadsTheAnswer() {
    List<Asked> asked =
        List.of(
            new Asked("confirm", "{\"message\":\"Deploy?\",\"confirmLabel\":\"Ship\"}", null, "{\"confirmed\":true}"),
            new Asked(
                "choice",
                "{\"message\":\"Region?\",\"options\":[{\"value\":\"eu\",\"title\":\"Europe\"},{\"value\":\"us\",\"title\":\"US\"}]}",
                null,
                "{\"value\":\"us\"}"),
            new Asked(
                "multi_choice",
                "{\"message\":\"Notify?\",\"options\":[{\"value\":\"mail\",\"title\":\"Mail\"},{\"value\":\"sms\",\"title\":\"SMS\"}],\"maxItems\":2}",
                null,
                "{\"values\":[\"sms\",\"mail\"]}"),
            new Asked("text", "{\"message\":\"Why?\",\"multiline\":true,\"maxLength\":100}", null, "{\"text\":\"because\"}"),
            new Asked("form", "{\"message\":\"About you\"}", FORM_SCHEMA, "{\"email\":\"ann@example.com\",\"age\":30}"));
    try (WsClient device = connect("kinds")) {
      device.next("welcome");
      device.next("synced");
      for (Asked ask : asked) {
        String id = create("kinds", ask).path("id").asText();
        JsonNode shown = device.next("interaction");
        assertEquals(ask.kind(), shown.path("kind").asText());
        assertEquals(ask.answerSchema() != null, shown.has("answerSchema"), shown.toString());

        device.send("{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":" + ask.answer() + "}");

        assertEquals(id, device.next("ack").path("id").asText());
        device.next("closed");
        JsonNode outcome = server.get("/v1/sessions/kinds/interactions/" + id).body();
        assertEquals("answered", outcome.path("status").asText(), outcome.toString());
        assertEquals(json(ask.answer()), outcome.path("value"));
      }
    }
  }

  @Test
  void aPayloadThatDoesNotFitItsKindOrASchemaOutsideTheSubsetIsRefusedNamingWhere() {
    assertBadRequest("{\"kind\":\"confirm\",\"payload\":{}}", "payload/message: is required");
    assertBadRequest(
        "{\"kind\":\"choice\",\"payload\":{\"message\":\"m\",\"options\":[{\"value\":\"a\"}]}}",
        "payload/options/0/title: must be a string");
    assertBadRequest("{\"kind\":\"form\",\"payload\":{\"message\":\"m\"}}", "answerSchema: is required for kind form");
    assertBadRequest(
        "{\"kind\":\"form\",\"payload\":{\"message\":\"m\"},\"answerSchema\":"
            + "{\"type\":\"object\",\"properties\":{\"ip\":{\"type\":\"string\",\"format\":\"ipv4\"}}}}",
        "answerSchema/properties/ip/format: must be one of email, uri, date, date-time");
    assertBadRequest(
        "{\"kind\":\"form\",\"payload\":{\"message\":\"m\"},\"answerSchema\":"
            + "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"string\",\"$ref\":\"https://example.com/s.json\"}}}}",
        "answerSchema/properties/x/$ref: is not part of the answer-schema subset");
    assertEquals(0, server.get("/v1/sessions/refused").body().path("pending").size(), "nothing was created");
  }

  @Test
  void anAnswerThatDoesNotFitIsRefusedToItsDeviceAloneWithEachProblemAndTheInteractionStaysPending() {
    try (WsClient phone = connect("invalid-ws");
        WsClient laptop = connect("invalid-ws")) {
      phone.next("welcome");
      laptop.next("welcome");
      phone.next("synced");
      laptop.next("synced");
      server.awaitConnections("invalid-ws", 2);
      String id = create("invalid-ws", new Asked("form", "{\"message\":\"m\"}", FORM_SCHEMA, null)).path("id").asText();
      phone.next("interaction");
      laptop.next("interaction");

      phone.send("{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":{\"email\":\"nope\",\"age\":12},\"ref\":\"r1\"}");

      JsonNode error = phone.next("error");
      assertEquals("invalid_answer", error.path("code").asText(), error.toString());
      assertEquals(id, error.path("id").asText());
      assertEquals("r1", error.path("ref").asText());
      assertEquals(List.of("/age", "/email"), pointers(error.path("errors")));
      assertEquals("pending", server.get("/v1/sessions/invalid-ws/interactions/" + id).body().path("status").asText());

      phone.send("{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":{\"email\":\"ann@example.com\",\"age\":18}}");

      phone.next("ack");
      // The laptop heard nothing of the refused answer: its next frame is the close.
      JsonNode next = laptop.next();
      assertEquals("closed", next.path("type").asText(), next.toString());
      assertEquals("answered", next.path("outcome").asText());
    }
  }

  @Test
  void anHttpAnswerThatDoesNotFitIs422AndAnEventStreamDeviceIsShownTheSchema() {
    try (SseClient device = SseClient.open(server, "invalid-http")) {
      String connectionId = device.nextEvent("welcome").json().path("connectionId").asText();
      device.nextEvent("synced");
      String id = create("invalid-http", new Asked("form", "{\"message\":\"m\"}", FORM_SCHEMA, null)).path("id").asText();
      JsonNode shown = device.nextEvent("interaction").json();
      assertEquals(json(FORM_SCHEMA), shown.path("answerSchema"));
      String answer = "/v1/sessions/invalid-http/interactions/" + id + "/answer";

      TestServer.Reply refused =
          server.post(answer, "{\"connectionId\":\"" + connectionId + "\",\"value\":{\"email\":\"ann@example.com\"}}");

      assertEquals(422, refused.status(), refused.toString());
      assertEquals("invalid_answer", refused.body().path("error").path("code").asText());
      JsonNode problems = refused.body().path("error").path("errors");
      assertEquals(List.of(""), pointers(problems), "the missing property is reported at the answer's root");
      assertTrue(problems.get(0).path("message").asText().contains("age"), problems.toString());
      TestServer.Reply fits = server.post(answer, "{\"connectionId\":\"" + connectionId + "\",\"value\":{\"email\":\"ann@example.com\",\"age\":40}}");
      assertEquals(200, fits.status(), fits.toString());
      assertEquals("answered", device.nextEvent("closed").json().path("outcome").asText());
      // A rejection needs no schema.
      String second = create("invalid-http", new Asked("form", "{\"message\":\"m\"}", FORM_SCHEMA, null)).path("id").asText();
      device.nextEvent("interaction");
      TestServer.Reply rejected = server.post("/v1/sessions/invalid-http/interactions/" + second + "/reject", "{\"reason\":\"no\"}");
      assertEquals(200, rejected.status(), rejected.toString());
      assertFalse(device.nextEvent("closed").json().path("outcome").asText().isEmpty());
    }
  }

  // --- steps ---------------------------------------------------------------------------------------------------------

  private static WsClient connect(String sessionId) {
    return WsClient.connect(server.ws("/v1/sessions/" + sessionId + "/ws"));
  }

  private static JsonNode create(String sessionId, Asked ask) {
    String body =
        "{\"kind\":\""
            + ask.kind()
            + "\",\"payload\":"
            + ask.payload()
            + (ask.answerSchema() == null ? "" : ",\"answerSchema\":" + ask.answerSchema())
            + ",\"timeoutMs\":60000}";
    TestServer.Reply reply = server.post("/v1/sessions/" + sessionId + "/interactions", body);
    assertEquals(201, reply.status(), reply.toString());
    return reply.body();
  }

  private static void assertBadRequest(String body, String message) {
    TestServer.Reply reply = server.post("/v1/sessions/refused/interactions", body);
    assertEquals(400, reply.status(), reply.toString());
    assertEquals("bad_request", reply.body().path("error").path("code").asText());
    assertTrue(reply.body().path("error").path("message").asText().startsWith(message), reply.toString());
  }

  private static JsonNode json(String text) {
    try {
      return WireCodec.mapper().readTree(text);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static List<String> pointers(JsonNode problems) {
    List<String> pointers = new java.util.ArrayList<>();
    problems.forEach(problem -> pointers.add(problem.path("pointer").asText()));
    return pointers.stream().sorted().toList();
  }

}
