package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The requester API (and the answer/reject endpoints of SSE clients), over a real HTTP connection to a real server. See
 * {@code docs/PROTOCOL.md}, "Requester API".
 */
class HttpApiTest {

  private static final long DEADLINE_SECONDS = 20;

  private static final Duration POLL_INTERVAL = Duration.ofMillis(10);

  /** Numbers a double would round or a normalising parser would rewrite (2.5, 1E+2). */
  private static final String NUMBERS = "[2.50,100.0,0.1000000000000000055511151231257827,12345678901234567890]";

  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  // --- create ------------------------------------------------------------------------------------------------------

  @Test
  void createAnswers201WithExactlyThePendingInteraction() {
    TestServer.Reply reply =
        server.post(
            "/v1/sessions/create-shape/interactions",
            "{\"kind\":\"tool-approval\",\"payload\":{\"tool\":\"rm\",\"args\":[1,\"-rf\",null]},\"timeoutMs\":60000}");

    assertEquals(201, reply.status(), reply.toString());
    JsonNode body = reply.body();
    assertEquals(
        Set.of("id", "sessionId", "kind", "status", "requestedAt", "expiresAt", "payload"), fieldNames(body), body.toString());
    assertFalse(body.path("id").asText().isBlank());
    assertEquals("create-shape", body.path("sessionId").asText());
    assertEquals("tool-approval", body.path("kind").asText());
    assertEquals("pending", body.path("status").asText());
    assertEquals("{\"tool\":\"rm\",\"args\":[1,\"-rf\",null]}", body.path("payload").toString());
  }

  @Test
  void payloadComesBackDigitForDigit() {
    TestServer.Reply reply = server.post("/v1/sessions/payload-digits/interactions", "{\"kind\":\"k\",\"payload\":" + NUMBERS + "}");

    assertEquals(NUMBERS, reply.body().path("payload").toString());
  }

  @Test
  void answerValueComesBackDigitForDigit() {
    String id = createId("answer-digits");

    server.post("/v1/sessions/answer-digits/interactions/" + id + "/answer", "{\"value\":" + NUMBERS + "}");

    assertEquals(NUMBERS, outcome("answer-digits", id).path("value").toString());
  }

  @Test
  void createdInteractionExpiresTimeoutMsAfterItWasRequestedInIso8601() {
    JsonNode body = create("create-times", "{\"kind\":\"k\",\"timeoutMs\":60000}").body();

    Instant requestedAt = Instant.parse(body.path("requestedAt").asText());
    Instant expiresAt = Instant.parse(body.path("expiresAt").asText());
    assertEquals(Duration.ofMillis(60000), Duration.between(requestedAt, expiresAt));
    assertTrue(
        Duration.between(requestedAt, Instant.now()).abs().compareTo(Duration.ofMinutes(1)) < 0,
        "requestedAt is now: " + requestedAt);
  }

  @Test
  void sameIdempotencyKeyReturnsTheExistingInteractionWith200AndCreatesNoSecond() {
    String request = "{\"kind\":\"k\",\"timeoutMs\":60000,\"idempotencyKey\":\"order-17\"}";
    TestServer.Reply first = create("idempotent", request);

    TestServer.Reply second = server.post("/v1/sessions/idempotent/interactions", request);

    assertEquals(200, second.status(), second.toString());
    assertEquals("pending", second.body().path("status").asText());
    assertEquals(first.body().path("id").asText(), second.body().path("id").asText());
    JsonNode pending = server.get("/v1/sessions/idempotent").body().path("pending");
    assertEquals(1, pending.size(), pending.toString());
  }

  @Test
  void repeatedRequestLeavesTheInteractionAnswerable() {
    String request = "{\"kind\":\"k\",\"timeoutMs\":60000,\"idempotencyKey\":\"retry-3\"}";
    String id = create("idempotent-answer", request).body().path("id").asText();
    assertEquals(200, server.post("/v1/sessions/idempotent-answer/interactions", request).status());

    TestServer.Reply ack = server.post("/v1/sessions/idempotent-answer/interactions/" + id + "/answer", "{\"value\":1}");

    assertEquals(200, ack.status(), ack.toString());
    assertEquals("answered", outcome("idempotent-answer", id).path("status").asText());
  }

  @Test
  void sameIdempotencyKeyAfterTheInteractionClosedReturnsItsOutcome() {
    String request = "{\"kind\":\"k\",\"timeoutMs\":60000,\"idempotencyKey\":\"done-1\"}";
    String id = create("idempotent-closed", request).body().path("id").asText();
    server.post("/v1/sessions/idempotent-closed/interactions/" + id + "/reject", "{\"reason\":\"no\"}");
    outcome("idempotent-closed", id);

    TestServer.Reply again = server.post("/v1/sessions/idempotent-closed/interactions", request);

    assertEquals(200, again.status(), again.toString());
    assertEquals(id, again.body().path("id").asText());
    assertEquals("rejected", again.body().path("status").asText());
  }

  @Test
  void createWithWaitMsAnswers200WithTheOutcomeWhenAClientAnswersInTime() {
    try (WsClient client = WsClient.connect(server.ws("/v1/sessions/create-wait/ws"))) {
      String connectionId = client.next("welcome").path("connectionId").asText();
      CompletableFuture<TestServer.Reply> created =
          CompletableFuture.supplyAsync(
              () -> server.post("/v1/sessions/create-wait/interactions?waitMs=20000", "{\"kind\":\"k\",\"timeoutMs\":60000}"));
      String id = client.next("interaction").path("id").asText();

      client.send("{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":{\"approved\":true}}");

      TestServer.Reply reply = join(created);
      assertEquals(200, reply.status(), reply.toString());
      assertEquals(id, reply.body().path("id").asText());
      assertEquals("answered", reply.body().path("status").asText());
      assertEquals("{\"approved\":true}", reply.body().path("value").toString());
      assertEquals(connectionId, reply.body().path("answeredBy").asText());
    }
  }

  @Test
  void createWithWaitMsAnswers201PendingWhenNobodyAnswersInTime() {
    TestServer.Reply reply =
        server.post("/v1/sessions/create-wait-pending/interactions?waitMs=300", "{\"kind\":\"k\",\"timeoutMs\":60000}");

    assertEquals(201, reply.status(), reply.toString());
    assertEquals("pending", reply.body().path("status").asText());
    assertTrue(reply.body().has("payload"), reply.toString());
  }

  // --- read, long-poll, cancel --------------------------------------------------------------------------------------

  @Test
  void getWithWaitMsReturnsTheAnswerGivenDuringTheWait() {
    String id = createId("long-poll");
    try (WsClient client = WsClient.connect(server.ws("/v1/sessions/long-poll/ws"))) {
      String connectionId = client.next("welcome").path("connectionId").asText();
      client.next("interaction");
      CompletableFuture<TestServer.Reply> polled =
          CompletableFuture.supplyAsync(() -> server.get("/v1/sessions/long-poll/interactions/" + id + "?waitMs=20000"));
      // Nothing can end the poll yet: not the outcome (there is none) and not its wait (20 s).
      assertFalse(polled.isDone(), () -> "returned before the answer: " + polled.join());

      client.send("{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":\"yes\"}");

      TestServer.Reply reply = join(polled);
      assertEquals(200, reply.status(), reply.toString());
      assertEquals("answered", reply.body().path("status").asText());
      assertEquals("yes", reply.body().path("value").asText());
      assertEquals(connectionId, reply.body().path("answeredBy").asText());
    }
  }

  @Test
  void getWithoutWaitMsReturnsThePendingStateAtOnce() {
    String id = createId("read-pending");

    TestServer.Reply reply = server.get("/v1/sessions/read-pending/interactions/" + id);

    assertEquals(200, reply.status(), reply.toString());
    assertEquals("pending", reply.body().path("status").asText());
    assertEquals(id, reply.body().path("id").asText());
    assertTrue(reply.body().has("payload"), reply.toString());
  }

  @Test
  void closedInteractionKeepsItsOutcomeReadableWithoutItsPayload() {
    String id = createId("retention");
    assertEquals(200, server.post("/v1/sessions/retention/interactions/" + id + "/reject", "{\"reason\":\"no\"}").status());
    outcome("retention", id);

    TestServer.Reply reply = server.get("/v1/sessions/retention/interactions/" + id);

    assertEquals(200, reply.status(), reply.toString());
    assertEquals("rejected", reply.body().path("status").asText());
    assertEquals("no", reply.body().path("reason").asText());
    assertFalse(reply.body().has("payload"), reply.toString());
  }

  @Test
  void closedInteractionIsForgottenAfterTheRetentionWindow() {
    try (TestServer forgetful = TestServer.start("orchestrator.session.closed-retention = 300ms")) {
      String id =
          forgetful.post("/v1/sessions/forgotten/interactions", "{\"kind\":\"k\"}").body().path("id").asText();
      assertEquals("cancelled", forgetful.delete("/v1/sessions/forgotten/interactions/" + id).body().path("status").asText());

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
      TestServer.Reply reply = forgetful.get("/v1/sessions/forgotten/interactions/" + id);
      while (reply.status() == 200 && System.nanoTime() < deadline) {
        pauseBetweenPolls();
        reply = forgetful.get("/v1/sessions/forgotten/interactions/" + id);
      }

      assertError(404, "unknown_interaction", reply);
    }
  }

  @Test
  void deleteCancelsReturnsTheFinalStateAndTellsEveryClient() {
    try (WsClient client = WsClient.connect(server.ws("/v1/sessions/cancel/ws"))) {
      client.next("welcome");
      String id = createId("cancel");
      client.next("interaction");

      TestServer.Reply reply = server.delete("/v1/sessions/cancel/interactions/" + id);

      assertEquals(200, reply.status(), reply.toString());
      assertEquals("cancelled", reply.body().path("status").asText());
      assertEquals(id, reply.body().path("id").asText());
      assertEquals("{\"type\":\"closed\",\"id\":\"" + id + "\",\"outcome\":\"cancelled\"}", client.next("closed").toString());
    }
  }

  @Test
  void deleteOfAClosedInteractionLeavesItsOutcome() {
    String id = createId("cancel-closed");
    assertEquals(200, server.post("/v1/sessions/cancel-closed/interactions/" + id + "/answer", "{\"value\":1}").status());

    TestServer.Reply reply = server.delete("/v1/sessions/cancel-closed/interactions/" + id);

    assertEquals(200, reply.status(), reply.toString());
    assertEquals("answered", reply.body().path("status").asText());
  }

  @Test
  void getOfAnUnknownInteractionIs404UnknownInteraction() {
    assertError(404, "unknown_interaction", server.get("/v1/sessions/unknown-get/interactions/nope"));
  }

  @Test
  void longPollOfAnUnknownInteractionIs404AtOnce() {
    long start = System.nanoTime();

    TestServer.Reply reply = server.get("/v1/sessions/unknown-poll/interactions/nope?waitMs=60000");

    assertError(404, "unknown_interaction", reply);
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30), "the poll waited for an interaction that does not exist");
  }

  @Test
  void deleteOfAnUnknownInteractionIs404UnknownInteraction() {
    assertError(404, "unknown_interaction", server.delete("/v1/sessions/unknown-delete/interactions/nope"));
  }

  // --- answer and reject over HTTP --------------------------------------------------------------------------------

  @Test
  void answerIsAcknowledgedAndTheRequesterSeesItAnsweredByTheHttpCaller() {
    String id = createId("http-answer");

    TestServer.Reply ack =
        server.post("/v1/sessions/http-answer/interactions/" + id + "/answer", "{\"value\":{\"choice\":\"b\"}}");

    assertEquals(200, ack.status(), ack.toString());
    assertEquals("{\"type\":\"ack\",\"id\":\"" + id + "\"}", ack.body().toString());
    JsonNode outcome = outcome("http-answer", id);
    assertEquals("answered", outcome.path("status").asText());
    assertEquals("{\"choice\":\"b\"}", outcome.path("value").toString());
    assertEquals("http:anonymous", outcome.path("answeredBy").asText());
  }

  @Test
  void answerNamingAConnectionThatIsNotAttachedIsTheHttpCallers() {
    String id = createId("http-answer-connection");

    server.post(
        "/v1/sessions/http-answer-connection/interactions/" + id + "/answer",
        "{\"value\":true,\"connectionId\":\"sse-123\"}");

    // A claim the session cannot verify is not recorded (an attached stream's own id is: EventStreamTest).
    JsonNode outcome = outcome("http-answer-connection", id);
    assertEquals("http:anonymous", outcome.path("answeredBy").asText());
    assertEquals("http", outcome.path("audit").path("transport").asText());
  }

  @Test
  void secondAnswerIs409AlreadyClosedAndTheFirstAnswerStands() {
    String id = createId("http-answer-twice");
    String path = "/v1/sessions/http-answer-twice/interactions/" + id + "/answer";
    assertEquals(200, server.post(path, "{\"value\":1}").status());

    TestServer.Reply second = server.post(path, "{\"value\":2}");

    assertError(409, "already_closed", second);
    assertEquals(1, outcome("http-answer-twice", id).path("value").asInt());
  }

  @Test
  void answerToAnUnknownInteractionIs404UnknownInteraction() {
    assertError(
        404, "unknown_interaction", server.post("/v1/sessions/http-answer-unknown/interactions/nope/answer", "{\"value\":1}"));
  }

  @Test
  void rejectEndsTheInteractionAsRejectedWithItsReason() {
    String id = createId("http-reject");

    TestServer.Reply ack =
        server.post("/v1/sessions/http-reject/interactions/" + id + "/reject", "{\"reason\":\"not now\"}");

    assertEquals(200, ack.status(), ack.toString());
    assertEquals("ack", ack.body().path("type").asText());
    JsonNode outcome = outcome("http-reject", id);
    assertEquals("rejected", outcome.path("status").asText());
    assertEquals("not now", outcome.path("reason").asText());
    assertFalse(outcome.has("answeredBy"), outcome.toString());
  }

  // --- bad input ---------------------------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          malformed JSON                 | {"kind":                                          | (message)
          empty body                     | ''                                                | (message)
          JSON that is not an object     | [1,2]                                             | (message)
          unknown field                  | {"kind":"k","colour":"red"}                       | colour
          missing kind                   | {"payload":{}}                                    | kind
          blank kind                     | {"kind":" "}                                      | kind
          kind over 64 characters        | {"kind":"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"} | kind
          kind not a string              | {"kind":5}                                        | kind
          timeoutMs zero                 | {"kind":"k","timeoutMs":0}                        | timeoutMs
          timeoutMs under the minimum    | {"kind":"k","timeoutMs":99}                       | timeoutMs
          timeoutMs over the maximum     | {"kind":"k","timeoutMs":3600001}                  | timeoutMs
          timeoutMs not a number         | {"kind":"k","timeoutMs":"soon"}                   | timeoutMs
          idempotencyKey with a space    | {"kind":"k","idempotencyKey":"a b"}               | idempotencyKey
          """)
  void invalidCreateBodyIs400NamingTheFieldAndCreatesNothing(String description, String body, String field) {
    String sessionId = "bad-body-" + Math.abs(description.hashCode());

    TestServer.Reply reply = server.post("/v1/sessions/" + sessionId + "/interactions", body);

    assertError(400, "bad_request", reply);
    assertTrue(message(reply).startsWith(field + ":"), reply.toString());
    assertEquals(0, server.get("/v1/sessions/" + sessionId).body().path("pending").size());
  }

  @ParameterizedTest(name = "waitMs={0}")
  @CsvSource({"-1", "soon", "1.5", "''"})
  void invalidWaitMsOnCreateIs400NamingWaitMs(String waitMs) {
    TestServer.Reply reply =
        server.post("/v1/sessions/bad-wait-create/interactions?waitMs=" + waitMs, "{\"kind\":\"k\"}");

    assertError(400, "bad_request", reply);
    assertTrue(message(reply).startsWith("waitMs:"), reply.toString());
  }

  @ParameterizedTest(name = "waitMs={0}")
  @CsvSource({"-1, bad-wait-read-negative", "soon, bad-wait-read-text"})
  void invalidWaitMsOnReadIs400NamingWaitMs(String waitMs, String sessionId) {
    String id = createId(sessionId);

    TestServer.Reply reply = server.get("/v1/sessions/" + sessionId + "/interactions/" + id + "?waitMs=" + waitMs);

    assertError(400, "bad_request", reply);
    assertTrue(message(reply).startsWith("waitMs:"), reply.toString());
  }

  @Test
  void payloadOverMaxPayloadBytesIs400NamingPayload() {
    String payload = "\"" + "x".repeat(65536) + "\"";

    TestServer.Reply reply =
        server.post("/v1/sessions/payload-too-large/interactions", "{\"kind\":\"k\",\"payload\":" + payload + "}");

    assertError(400, "bad_request", reply);
    assertTrue(message(reply).startsWith("payload:"), reply.toString());
  }

  @Test
  void payloadOfExactlyMaxPayloadBytesIsAccepted() {
    String payload = "\"" + "x".repeat(65534) + "\"";

    TestServer.Reply reply =
        server.post("/v1/sessions/payload-at-limit/interactions", "{\"kind\":\"k\",\"payload\":" + payload + "}");

    assertEquals(201, reply.status(), () -> "status " + reply.status() + ": " + reply.body().path("error"));
  }

  @Test
  void bodyOverMaxContentLengthIs413WithAJsonError() {
    String payload = "\"" + "x".repeat(300 * 1024) + "\"";

    TestServer.Reply reply =
        server.post("/v1/sessions/body-too-large/interactions", "{\"kind\":\"k\",\"payload\":" + payload + "}");

    assertError(413, "too_large", reply);
  }

  @Test
  void invalidSessionIdIs400NamingSessionId() {
    TestServer.Reply reply = server.post("/v1/sessions/not%20valid/interactions", "{\"kind\":\"k\"}");

    assertError(400, "bad_request", reply);
    assertTrue(message(reply).startsWith("sessionId:"), reply.toString());
  }

  @Test
  void sessionIdLongerThan128CharactersIs400() {
    assertError(400, "bad_request", server.get("/v1/sessions/" + "s".repeat(129)));
  }

  // --- limits ------------------------------------------------------------------------------------------------------

  @Test
  void requestPastMaxPendingInteractionsIs429PendingLimit() {
    try (TestServer limited = TestServer.start("orchestrator.session.max-pending-interactions = 2")) {
      String path = "/v1/sessions/pending-limit/interactions";
      assertEquals(201, limited.post(path, "{\"kind\":\"k\"}").status());
      assertEquals(201, limited.post(path, "{\"kind\":\"k\"}").status());

      TestServer.Reply third = limited.post(path, "{\"kind\":\"k\"}");

      assertError(429, "pending_limit", third);
      assertEquals(2, limited.get("/v1/sessions/pending-limit").body().path("pending").size());
    }
  }

  // --- session state, health, unknown paths ----------------------------------------------------------------------

  @Test
  void sessionStateListsAttachedConnectionsAndPendingInteractions() {
    String id = createId("state");
    try (WsClient client = WsClient.connect(server.ws("/v1/sessions/state/ws"))) {
      String connectionId = client.next("welcome").path("connectionId").asText();

      JsonNode state = awaitConnections("state", 1);

      assertEquals(
          Set.of("sessionId", "connections", "pending", "node"), fieldNames(state), state.toString());
      assertEquals("state", state.path("sessionId").asText());
      assertEquals(connectionId, state.path("connections").path(0).asText());
      JsonNode pending = state.path("pending");
      assertEquals(1, pending.size(), state.toString());
      assertEquals("interaction", pending.path(0).path("type").asText());
      assertEquals(id, pending.path(0).path("id").asText());
      assertEquals("k", pending.path(0).path("kind").asText());
    }
  }

  @Test
  void stateOfASessionNobodyUsedIsEmpty() {
    TestServer.Reply reply = server.get("/v1/sessions/never-used");

    assertEquals(200, reply.status(), reply.toString());
    assertEquals(
        "{\"sessionId\":\"never-used\",\"connections\":[],\"pending\":[],\"node\":\"127.0.0.1:" + clusterPort() + "\"}",
        reply.body().toString());
  }

  /** The cluster port this test's server took (0 in its configuration: a free one). */
  private static int clusterPort() {
    return server.orchestrator().system().address().getPort().get();
  }

  @Test
  void livenessIs200() {
    TestServer.Reply reply = server.get("/health/live");

    assertEquals(200, reply.status());
    assertEquals("{\"status\":\"live\"}", reply.body().toString());
  }

  @Test
  void readinessIs200WhileServing() {
    TestServer.Reply reply = server.get("/health/ready");

    assertEquals(200, reply.status());
    assertEquals(
        "{\"status\":\"ready\",\"checks\":[{\"name\":\"cluster\",\"status\":\"pass\",\"detail\":\"up, Session shard region registered\"},"
            + "{\"name\":\"http\",\"status\":\"pass\",\"detail\":\"accepting requests\"}],"
            + "\"degraded\":[]}",
        reply.body().toString());
  }

  @Test
  void unknownPathIs404WithAJsonError() {
    assertError(404, "not_found", server.get("/v2/nothing/here"));
  }

  @Test
  void wrongMethodIs405WithAJsonError() {
    TestServer.Reply reply = server.delete("/health/live");

    assertError(405, "method_not_allowed", reply);
  }

  @Test
  void answerValueOverThePayloadLimitIs400NamingValue() {
    String id = createId("answer-too-big");

    TestServer.Reply reply =
        server.post(
            "/v1/sessions/answer-too-big/interactions/" + id + "/answer",
            "{\"value\":\"" + "x".repeat(70 * 1024) + "\"}");

    assertError(400, "bad_request", reply);
    assertTrue(message(reply).startsWith("value:"), message(reply));
    assertEquals(
        "pending", server.get("/v1/sessions/answer-too-big/interactions/" + id).body().path("status").asText());
  }

  @Test
  void rejectionReasonOverThePayloadLimitIs400NamingReason() {
    String id = createId("reason-too-big");

    TestServer.Reply reply =
        server.post(
            "/v1/sessions/reason-too-big/interactions/" + id + "/reject",
            "{\"reason\":\"" + "x".repeat(70 * 1024) + "\"}");

    assertError(400, "bad_request", reply);
    assertTrue(message(reply).startsWith("reason:"), message(reply));
  }

  // --- steps ---------------------------------------------------------------------------------------------------------

  private static TestServer.Reply create(String sessionId, String body) {
    TestServer.Reply reply = server.post("/v1/sessions/" + sessionId + "/interactions", body);
    assertEquals(201, reply.status(), reply.toString());
    return reply;
  }

  private static String createId(String sessionId) {
    return create(sessionId, "{\"kind\":\"k\",\"payload\":{\"n\":1},\"timeoutMs\":60000}").body().path("id").asText();
  }

  /** The interaction's final state: a long poll, so that it is read once the session has recorded the outcome. */
  private static JsonNode outcome(String sessionId, String id) {
    TestServer.Reply reply = server.get("/v1/sessions/" + sessionId + "/interactions/" + id + "?waitMs=" + DEADLINE_SECONDS * 1000);
    assertEquals(200, reply.status(), reply.toString());
    assertFalse(reply.body().path("status").asText().equals("pending"), reply.toString());
    return reply.body();
  }

  private static JsonNode awaitConnections(String sessionId, int count) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
    while (true) {
      JsonNode state = server.get("/v1/sessions/" + sessionId).body();
      if (state.path("connections").size() == count) {
        return state;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("session " + sessionId + " never had " + count + " connections: " + state);
      }
      pauseBetweenPolls();
    }
  }

  /** Paces a polling loop so that it does not starve the server of the CPU it waits for; deadlines bound the wait. */
  private static void pauseBetweenPolls() {
    LockSupport.parkNanos(POLL_INTERVAL.toNanos());
  }

  private static TestServer.Reply join(CompletableFuture<TestServer.Reply> reply) {
    return reply.orTimeout(DEADLINE_SECONDS + 10, TimeUnit.SECONDS).join();
  }

  private static void assertError(int status, String code, TestServer.Reply reply) {
    assertEquals(status, reply.status(), reply.toString());
    assertEquals(Set.of("error"), fieldNames(reply.body()), reply.toString());
    assertEquals(Set.of("code", "message"), fieldNames(reply.body().path("error")), reply.toString());
    assertEquals(code, reply.body().path("error").path("code").asText(), reply.toString());
    assertFalse(message(reply).isBlank(), reply.toString());
  }

  private static String message(TestServer.Reply reply) {
    return reply.body().path("error").path("message").asText();
  }

  private static Set<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return new TreeSet<>(names);
  }
}
