package dev.interactions.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interactions.protocol.OutcomeCode;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The requester side against a scripted server on a real socket: what the orchestrator cannot easily be made to do on
 * cue (a 503, then a success; a port nobody listens on yet; an error page from a proxy).
 */
class RequesterTest {

  private static final String PENDING =
      "{\"id\":\"i-1\",\"sessionId\":\"s\",\"kind\":\"k\",\"status\":\"pending\",\"requestedAt\":\"2026-11-24T10:00:00Z\","
          + "\"expiresAt\":\"2026-11-24T10:05:00Z\",\"payload\":{\"n\":1}}";
  private static final String UNAVAILABLE = "{\"error\":{\"code\":\"unavailable\",\"message\":\"the session did not answer\"}}";
  /** Retries at once, so that only Retry-After can make them wait. */
  private static final RetryPolicy QUICK =
      new RetryPolicy(4, Duration.ofSeconds(30), new Backoff(Duration.ofMillis(1), Duration.ofMillis(5)));

  private final ScriptedServer server = ScriptedServer.start();

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aCreateRefusedWith503IsSentAgainWithTheSameIdempotencyKeyAndCompletesWithTheInteraction() throws Exception {
    server.answer(503, UNAVAILABLE).answer(503, UNAVAILABLE).answer(201, PENDING);
    try (InteractionsClient client = client(QUICK)) {
      InteractionState created =
          client.requester().create("s", InteractionRequest.of("k", Map.of("n", 1))).get(20, TimeUnit.SECONDS);

      assertEquals("i-1", created.id());
      assertTrue(created.isPending());
      String key = body(server.next()).path("idempotencyKey").asText();
      assertFalse(key.isEmpty(), "a key is generated");
      assertEquals(key, body(server.next()).path("idempotencyKey").asText());
      assertEquals(key, body(server.next()).path("idempotencyKey").asText());
    }
  }

  @Test
  void eachCreateCallHasAKeyOfItsOwnUnlessTheRequestNamesOne() throws Exception {
    server.answer(201, PENDING);
    try (InteractionsClient client = client(QUICK)) {
      InteractionRequest request = InteractionRequest.of("k", null);
      client.requester().create("s", request).get(20, TimeUnit.SECONDS);
      client.requester().create("s", request).get(20, TimeUnit.SECONDS);
      client.requester().create("s", InteractionRequest.builder("k", null).idempotencyKey("deploy-42").build()).get(20, TimeUnit.SECONDS);

      JsonNode first = body(server.next());
      assertNotEquals(first.path("idempotencyKey").asText(), body(server.next()).path("idempotencyKey").asText());
      assertEquals("deploy-42", body(server.next()).path("idempotencyKey").asText());
      assertTrue(first.path("payload").isNull(), "no payload is JSON null: " + first);
      assertFalse(first.has("timeoutMs"), "absent settings are left out for the server's defaults: " + first);
    }
  }

  @Test
  void everyAttemptAsksTheTokenSupplierForTheCurrentToken() throws Exception {
    server.answer(503, UNAVAILABLE).answer(201, PENDING);
    AtomicInteger rotation = new AtomicInteger();
    try (InteractionsClient client =
        InteractionsClient.builder(server.uri()).retry(QUICK).token(() -> "token-" + rotation.incrementAndGet()).build()) {
      client.requester().create("s", InteractionRequest.of("k", null)).get(20, TimeUnit.SECONDS);

      assertEquals("Bearer token-1", server.next().authorization());
      assertEquals("Bearer token-2", server.next().authorization());
    }
  }

  @Test
  void retryAfterIsWaitedEvenWhenTheBackoffWouldBeShorter() throws Exception {
    server.answer(503, UNAVAILABLE, "Retry-After", "1").answer(201, PENDING);
    try (InteractionsClient client = client(QUICK)) {
      client.requester().create("s", InteractionRequest.of("k", null)).get(20, TimeUnit.SECONDS);

      long gap = -server.next().nanoTime() + server.next().nanoTime();
      assertTrue(gap >= TimeUnit.MILLISECONDS.toNanos(990), "asked again after " + gap / 1_000_000 + " ms");
    }
  }

  @Test
  void whenTheAttemptsAreSpentThe503IsReportedWithItsCodeAndStatus() throws Exception {
    server.answer(503, UNAVAILABLE);
    try (InteractionsClient client = client(QUICK)) {
      RefusedException refused =
          refusal(client.requester().create("s", InteractionRequest.of("k", null)));

      assertEquals("unavailable", refused.code());
      assertEquals(503, refused.httpStatus().getAsInt());
      assertEquals("the session did not answer", refused.getMessage());
      for (int i = 0; i < QUICK.maxAttempts(); i++) {
        server.next();
      }
      assertEquals(0, server.waiting(), "exactly maxAttempts requests");
    }
  }

  @Test
  void connectionsClosedBeforeAResponseAreRetriedUntilOneIsAnswered() throws Exception {
    server.drop().drop().drop().answer(200, PENDING); // a server going down, then up again
    try (InteractionsClient client = client(QUICK)) {
      InteractionState read = client.requester().get("s", "i-1").get(20, TimeUnit.SECONDS);

      assertEquals("i-1", read.id());
      for (int attempt = 0; attempt < QUICK.maxAttempts(); attempt++) {
        assertEquals("/v1/sessions/s/interactions/i-1", server.next().target());
      }
    }
  }

  @Test
  void aBadRequestIsNotRetriedAndCarriesTheWireCodeStatusAndMessage() throws Exception {
    server.answer(400, "{\"error\":{\"code\":\"bad_request\",\"message\":\"timeoutMs: must be between 100 and 3600000 ms\"}}");
    try (InteractionsClient client = client(QUICK)) {
      RefusedException refused =
          refusal(client.requester().create("s", InteractionRequest.builder("k", null).timeout(Duration.ofMillis(50)).build()));

      assertTrue(refused.is("bad_request"), refused.toString());
      assertEquals(400, refused.httpStatus().getAsInt());
      assertEquals("timeoutMs: must be between 100 and 3600000 ms", refused.getMessage());
      assertEquals(50, body(server.next()).path("timeoutMs").asLong());
      assertEquals(0, server.waiting(), "not retried");
    }
  }

  @Test
  void anErrorPageThatIsNotTheProtocolsIsReportedWithItsStatusAndText() throws Exception {
    server.answer(502, "<html>Bad Gateway</html>");
    try (InteractionsClient client = client(QUICK)) {
      RefusedException refused = refusal(client.requester().cancel("s", "i-1"));

      assertNull(refused.code());
      assertEquals(502, refused.httpStatus().getAsInt());
      assertEquals("<html>Bad Gateway</html>", refused.getMessage());
      assertEquals("DELETE", server.next().method());
    }
  }

  @Test
  void aResponseLaterThanItsTimeoutFailsWithoutARetry() throws Exception {
    server.hang();
    try (InteractionsClient client =
        InteractionsClient.builder(server.uri()).retry(QUICK).responseTimeout(Duration.ofMillis(300)).build()) {
      CompletableFuture<InteractionState> read = client.requester().get("s", "i-1");

      ExecutionFailure.of(read, HttpTimeoutException.class);
      server.next();
      assertEquals(0, server.waiting(), "not retried");
    }
  }

  @Test
  void longPollsAndHistoryAskForWhatTheyShouldAndReadUnknownFieldsAndOutcomesLeniently() throws Exception {
    server
        .answer(200, PENDING.replace("\"pending\"", "\"answered\"").replace("}}", "},\"value\":{\"ok\":true},\"answeredBy\":\"websocket-1\",\"future\":1}"))
        .answer(200, PENDING.replace("\"pending\"", "\"vanished\""))
        .answer(200, "{\"sessionId\":\"s\",\"interactions\":[],\"next\":null}");
    try (InteractionsClient client = client(QUICK)) {
      InteractionState answered = client.requester().await("s", "i-1", Duration.ofSeconds(5)).get(20, TimeUnit.SECONDS);
      InteractionState unknown = client.requester().get("s", "i-1").get(20, TimeUnit.SECONDS);
      client.requester().history("s", HistoryQuery.all().withStatus(OutcomeCode.ANSWERED).withLimit(2).after("17")).get(20, TimeUnit.SECONDS);

      assertEquals(OutcomeCode.ANSWERED, answered.outcome().orElseThrow());
      assertEquals(Map.of("ok", true), answered.valueAs(Map.class));
      assertEquals("websocket-1", answered.answeredBy().orElseThrow());
      assertEquals("vanished", unknown.status());
      assertTrue(unknown.outcome().isEmpty() && !unknown.isPending());
      assertEquals("/v1/sessions/s/interactions/i-1?waitMs=5000", server.next().target());
      assertEquals("/v1/sessions/s/interactions/i-1", server.next().target());
      assertEquals("/v1/sessions/s/interactions?status=answered&limit=2&after=17", server.next().target());
    }
  }

  @Test
  void createAndWaitLongPollsUntilTheInteractionClosed() throws Exception {
    server
        .answer(201, PENDING)
        .answer(200, PENDING)
        .answer(200, PENDING.replace("\"pending\"", "\"expired\""));
    try (InteractionsClient client = client(QUICK)) {
      InteractionState closed = client.requester().createAndWait("s", InteractionRequest.of("k", null)).get(20, TimeUnit.SECONDS);

      assertEquals(OutcomeCode.EXPIRED, closed.outcome().orElseThrow());
      assertEquals("/v1/sessions/s/interactions?waitMs=50000", server.next().target());
      assertEquals("/v1/sessions/s/interactions/i-1?waitMs=50000", server.next().target());
      assertEquals("/v1/sessions/s/interactions/i-1?waitMs=50000", server.next().target());
    }
  }

  @Test
  void aPollThatFailsAfterTheServerHeldItLongerThanTheRetryBudgetIsRetriedAndTheWaitGoesOn() throws Exception {
    Duration budget = Duration.ofMillis(200);
    server
        .answerAfter(budget.multipliedBy(3), 503, UNAVAILABLE) // a node restarting while it held the poll
        .answer(200, PENDING)
        .answer(200, PENDING.replace("\"pending\"", "\"answered\""));
    try (InteractionsClient client = client(new RetryPolicy(4, budget, QUICK.backoff()))) {
      InteractionState closed = client.requester().awaitClosed("s", "i-1").get(20, TimeUnit.SECONDS);

      assertEquals(OutcomeCode.ANSWERED, closed.outcome().orElseThrow());
      for (int poll = 0; poll < 3; poll++) {
        assertEquals("/v1/sessions/s/interactions/i-1?waitMs=50000", server.next().target());
      }
    }
  }

  @Test
  void aCreateWithAWaitIsOneRequestHeldThatLongEvenWhenItComesBackPending() throws Exception {
    server.answer(201, PENDING);
    try (InteractionsClient client = client(QUICK)) {
      InteractionState created =
          client.requester().create("s", InteractionRequest.of("k", null), Duration.ofMillis(1500)).get(20, TimeUnit.SECONDS);

      assertTrue(created.isPending(), "the caller polls on by itself, if it wants to");
      ScriptedServer.Received request = server.next();
      assertEquals("POST", request.method());
      assertEquals("/v1/sessions/s/interactions?waitMs=1500", request.target());
      assertFalse(body(request).path("idempotencyKey").asText().isEmpty(), "a key, as for every create");
      assertEquals(0, server.waiting(), "no long poll follows");
    }
  }

  @Test
  void idsOutsideTheProtocolsPatternAreRefusedBeforeAnythingIsSent() {
    try (InteractionsClient client = client(QUICK)) {
      assertThrows(IllegalArgumentException.class, () -> client.requester().get("a b", "i-1"));
      assertThrows(IllegalArgumentException.class, () -> client.requester().cancel("s", "a/b"));
      assertEquals(0, server.waiting());
    }
  }

  @Test
  void closingFailsTheCallsInFlightAndLeavesNoThreadBehind() throws Exception {
    server.hang();
    InteractionsClient client = client(QUICK);
    LeftoverThreads threads = LeftoverThreads.of(client);
    CompletableFuture<InteractionState> waiting = client.requester().await("s", "i-1", Duration.ofSeconds(30));
    server.next();

    client.close();

    ExecutionFailure.of(waiting, CancellationException.class);
    ExecutionFailure.of(client.requester().get("s", "i-1"), CancellationException.class);
    threads.awaitNone();
  }

  @Test
  void aClientClosedWhileAnAttemptIsUnderWaySendsNothingMoreOnAnHttpClientItWasGiven() throws Exception {
    ExecutorService executor = Executors.newCachedThreadPool();
    try {
      HttpClient given = HttpClient.newBuilder().executor(executor).build();

      closeDuringTheFirstAttempt(InteractionsClient.builder(server.uri()).httpClient(given));

      // An attempt that went out anyway would arrive within milliseconds; a second is generous on a loaded machine.
      assertTrue(server.staysQuietFor(Duration.ofSeconds(1)), "a request went out after the client closed");
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void aClientClosedWhileAnAttemptIsUnderWayFailsTheCallOnAnHttpClientOfItsOwn() throws Exception {
    closeDuringTheFirstAttempt(InteractionsClient.builder(server.uri()));
  }

  // --- steps ---

  /**
   * Builds a client whose token supplier closes it: the supplier runs inside an attempt, after it started and before its
   * request goes out, so the close falls between the two. The call fails as any call does when its client closes.
   */
  private void closeDuringTheFirstAttempt(InteractionsClient.Builder builder) throws Exception {
    server.hang();
    AtomicReference<InteractionsClient> closedMidAttempt = new AtomicReference<>();
    InteractionsClient client =
        builder
            .retry(QUICK)
            .token(() -> {
              closedMidAttempt.get().close();
              return "token";
            })
            .build();
    closedMidAttempt.set(client);

    ExecutionFailure.of(client.requester().await("s", "i-1", Duration.ofSeconds(30)), CancellationException.class);
  }

  private InteractionsClient client(RetryPolicy retry) {
    return InteractionsClient.builder(server.uri()).retry(retry).build();
  }

  private static JsonNode body(ScriptedServer.Received request) {
    return ClientCodec.read(request.body(), JsonNode.class);
  }

  private static RefusedException refusal(CompletableFuture<?> call) {
    return ExecutionFailure.of(call, RefusedException.class);
  }
}
