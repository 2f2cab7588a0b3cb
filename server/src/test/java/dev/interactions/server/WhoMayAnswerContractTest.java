package dev.interactions.server;

import static dev.interactions.server.TestServer.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interactions.transport.auth.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who may answer, over real sockets with auth on: {@code answerers} by subject and by role (the {@code roles} claim),
 * {@code visibility}, {@code allowSelfAnswer}; refused on WebSocket, event stream and HTTP alike. See {@code
 * docs/PROTOCOL.md}, "Who may answer".
 */
class WhoMayAnswerContractTest {

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
  void overWebSocketsAHolderOfANamedRoleAnswersWhileOthersSeeItReadOnlyAndAreRefused() {
    try (WsClient alice = device("ws-roles", token("alice", "ws-roles", "approvers sre"));
        WsClient bob = device("ws-roles", token("bob", "ws-roles", "viewers"))) {
      server.awaitConnections("ws-roles", 2, bearer(REQUESTER));
      String id = create("ws-roles", ",\"answerers\":{\"roles\":[\"approvers\"]}").path("id").asText();
      JsonNode asAlice = alice.next("interaction");
      JsonNode asBob = bob.next("interaction");
      assertFalse(asAlice.has("readOnly"), asAlice.toString());
      assertTrue(asBob.path("readOnly").asBoolean(), asBob.toString());
      JsonNode bobsState = server.get("/v1/sessions/ws-roles", bearer(token("bob", "ws-roles", "viewers"))).body();
      assertTrue(bobsState.path("pending").path(0).path("readOnly").asBoolean(), bobsState.toString());

      bob.send("{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":{\"confirmed\":true},\"ref\":\"b1\"}");
      JsonNode refused = bob.next("error");
      assertEquals("forbidden", refused.path("code").asText(), refused.toString());
      assertEquals(id, refused.path("id").asText());
      assertEquals("b1", refused.path("ref").asText());
      bob.send("{\"type\":\"shown\",\"id\":\"" + id + "\"}");
      assertEquals("forbidden", bob.next("error").path("code").asText());
      bob.send("{\"type\":\"extend\",\"id\":\"" + id + "\",\"byMs\":60000}");
      assertEquals("forbidden", bob.next("error").path("code").asText());
      assertEquals("pending", read("ws-roles", id).path("status").asText());

      alice.send("{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":{\"confirmed\":true}}");
      alice.next("ack");
      assertEquals("answered", bob.next("closed").path("outcome").asText());
      JsonNode closed = read("ws-roles", id);
      assertEquals("alice", closed.path("audit").path("subject").asText(), closed.toString());
    }
  }

  @Test
  void overAnEventStreamAndPlainHttpAnswersFromOthersAre403() {
    String bob = token("bob", "sse-subjects", null);
    String alice = token("alice", "sse-subjects", null);
    try (SseClient laptop = SseClient.open(server, "sse-subjects", bob)) {
      String laptopId = laptop.nextEvent("welcome").json().path("connectionId").asText();
      laptop.nextEvent("synced");
      String id = create("sse-subjects", ",\"answerers\":{\"subjects\":[\"alice\"]}").path("id").asText();
      assertTrue(laptop.nextEvent("interaction").json().path("readOnly").asBoolean());
      String answers = "/v1/sessions/sse-subjects/interactions/" + id;

      TestServer.Reply fromStream =
          server.post(answers + "/answer", "{\"value\":1,\"connectionId\":\"" + laptopId + "\"}", bearer(bob));
      TestServer.Reply fromHttp = server.post(answers + "/reject", "{\"reason\":\"no\"}", bearer(bob));
      TestServer.Reply shown = server.post(answers + "/shown", "{\"connectionId\":\"" + laptopId + "\"}", bearer(bob));

      assertEquals(403, fromStream.status(), fromStream.toString());
      assertEquals("forbidden", fromStream.body().path("error").path("code").asText(), fromStream.toString());
      assertEquals(403, fromHttp.status(), fromHttp.toString());
      assertEquals(403, shown.status(), shown.toString());
      TestServer.Reply answered = server.post(answers + "/answer", "{\"value\":{\"confirmed\":true}}", bearer(alice));
      assertEquals(200, answered.status(), answered.toString());
      JsonNode closed = read("sse-subjects", id);
      assertTrue(closed.path("value").path("confirmed").asBoolean(), closed.toString());
      assertEquals("alice", closed.path("audit").path("subject").asText());
    }
  }

  @Test
  void withVisibilityAnswerersOthersAreNeitherSentNorReplayedIt() {
    try (WsClient bob = device("hidden", token("bob", "hidden", null))) {
      server.awaitConnections("hidden", 1, bearer(REQUESTER));
      String hidden =
          create("hidden", ",\"answerers\":{\"subjects\":[\"alice\"]},\"visibility\":\"answerers\"").path("id").asText();
      String open = create("hidden", "").path("id").asText();

      assertEquals(open, bob.next("interaction").path("id").asText(), "frames arrive in order: the hidden one was not sent");
      JsonNode state = server.get("/v1/sessions/hidden", bearer(token("bob", "hidden", null))).body();
      assertEquals(1, state.path("pending").size(), state.toString());
      assertEquals(open, state.path("pending").path(0).path("id").asText(), "nor is it in the session's state he reads");
      assertEquals(2, server.get("/v1/sessions/hidden", bearer(REQUESTER)).body().path("pending").size(), "requesters see all");
      try (WsClient bobsPhone = WsClient.connect(server.ws("/v1/sessions/hidden/ws"), bearer(token("bob", "hidden", null)))) {
        bobsPhone.next("welcome");
        assertEquals(open, bobsPhone.next("interaction").path("id").asText());
        assertEquals(1, bobsPhone.next("synced").path("pending").asInt());
      }
      bob.send("{\"type\":\"answer\",\"id\":\"" + hidden + "\",\"value\":true}");
      assertEquals("forbidden", bob.next("error").path("code").asText());
      server.delete("/v1/sessions/hidden/interactions/" + hidden, bearer(REQUESTER));
      server.delete("/v1/sessions/hidden/interactions/" + open, bearer(REQUESTER));
      assertEquals(open, bob.next("closed").path("id").asText(), "nor told that the hidden one closed");
    }
  }

  @Test
  void aRequesterThatMayNotAnswerItselfIsRefusedOnEveryTransport() {
    try (WsClient own = device("self", token("backend", "self", null));
        WsClient carol = device("self", token("carol", "self", null))) {
      server.awaitConnections("self", 2, bearer(REQUESTER));
      String id = create("self", ",\"allowSelfAnswer\":false").path("id").asText();
      assertTrue(own.next("interaction").path("readOnly").asBoolean());
      assertFalse(carol.next("interaction").has("readOnly"));

      own.send("{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":true}");
      JsonNode refused = own.next("error");
      assertEquals("forbidden", refused.path("code").asText());
      assertTrue(refused.path("message").asText().contains("requester"), refused.toString());
      // The same subject over an event stream's HTTP answer, and as a plain HTTP caller with the requester's own token.
      try (SseClient ownStream = SseClient.open(server, "self", token("backend", "self", null))) {
        String streamId = ownStream.nextEvent("welcome").json().path("connectionId").asText();
        ownStream.nextEvent("interaction");
        String answer = "/v1/sessions/self/interactions/" + id + "/answer";
        TestServer.Reply fromStream =
            server.post(answer, "{\"value\":{\"confirmed\":true},\"connectionId\":\"" + streamId + "\"}", bearer(token("backend", "self", null)));
        TestServer.Reply fromRequester = server.post(answer, "{\"value\":{\"confirmed\":true}}", bearer(REQUESTER));
        assertEquals(403, fromStream.status(), fromStream.toString());
        assertEquals(403, fromRequester.status(), fromRequester.toString());
      }
      carol.send("{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":{\"confirmed\":true}}");
      carol.next("ack");
      assertEquals("answered", read("self", id).path("status").asText());
    }
  }

  @Test
  void badAnswerersAreRefusedAtRequestTimeNamingTheField() {
    assertRefused(",\"answerers\":{}", "answerers");
    assertRefused(",\"answerers\":{\"subjects\":[\"alice\",null]}", "answerers/subjects");
    assertRefused(",\"answerers\":{\"roles\":[\"\"]}", "answerers/roles");
    assertRefused(",\"answerers\":{\"subjects\":[\"alice\"]},\"visibility\":\"friends\"", "visibility");
  }

  @Test
  void withAuthOffNamingAnswerersIsRefusedBecauseNobodyCouldBeHeldToIt() {
    try (TestServer open = TestServer.start("")) {
      TestServer.Reply answerers =
          open.post("/v1/sessions/anon/interactions", body(",\"answerers\":{\"subjects\":[\"alice\"]}"));
      TestServer.Reply self = open.post("/v1/sessions/anon/interactions", body(",\"allowSelfAnswer\":false"));

      assertEquals(400, answerers.status(), answerers.toString());
      assertTrue(answerers.body().path("error").path("message").asText().startsWith("answerers"), answerers.toString());
      assertEquals(400, self.status(), self.toString());
      assertTrue(self.body().path("error").path("message").asText().startsWith("allowSelfAnswer"), self.toString());
      assertEquals(201, open.post("/v1/sessions/anon/interactions", body(",\"visibility\":\"all\"")).status());
    }
  }

  // --- steps ---------------------------------------------------------------------------------------------------------

  /** A device token of {@code subject} for {@code sessionId}, with {@code roles} (space-separated) unless null. */
  private static String token(String subject, String sessionId, String roles) {
    var claims = TestTokens.claims(subject).withArrayClaim("sessions", new String[] {sessionId});
    if (roles != null) {
      claims.withClaim("roles", roles);
    }
    return claims.sign(TestTokens.hs256(SECRET));
  }

  private static WsClient device(String sessionId, String token) {
    WsClient device = WsClient.connect(server.ws("/v1/sessions/" + sessionId + "/ws"), bearer(token));
    device.next("welcome");
    device.next("synced");
    return device;
  }

  private static String body(String more) {
    return "{\"kind\":\"confirm\",\"payload\":{\"message\":\"Deploy?\"},\"timeoutMs\":60000" + more + "}";
  }

  private static JsonNode create(String sessionId, String more) {
    TestServer.Reply reply = server.post("/v1/sessions/" + sessionId + "/interactions", body(more), bearer(REQUESTER));
    assertEquals(201, reply.status(), reply.toString());
    return reply.body();
  }

  private static void assertRefused(String more, String field) {
    TestServer.Reply reply = server.post("/v1/sessions/refused/interactions", body(more), bearer(REQUESTER));
    assertEquals(400, reply.status(), reply.toString());
    assertTrue(reply.body().path("error").path("message").asText().startsWith(field), reply.toString());
  }

  private static JsonNode read(String sessionId, String id) {
    TestServer.Reply reply = server.get("/v1/sessions/" + sessionId + "/interactions/" + id, bearer(REQUESTER));
    assertEquals(200, reply.status(), reply.toString());
    return reply.body();
  }
}
