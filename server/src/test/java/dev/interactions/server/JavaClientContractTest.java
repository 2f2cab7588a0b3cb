package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interactions.client.HistoryQuery;
import dev.interactions.client.InteractionRequest;
import dev.interactions.client.InteractionState;
import dev.interactions.client.InteractionsClient;
import dev.interactions.client.RefusedException;
import dev.interactions.protocol.OutcomeCode;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java client ({@code client} module) against a real server on real sockets: requesters over HTTP. See {@code
 * docs/CLIENTS.md}.
 */
class JavaClientContractTest {

  private static TestServer server;
  private static InteractionsClient client;

  @BeforeAll
  static void start() {
    server = TestServer.start("");
    client = InteractionsClient.builder(server.http("")).build();
  }

  @AfterAll
  static void stop() {
    client.close();
    server.close();
  }

  @Test
  void createAndWaitCompletesWithTheAnswerOfTheSessionsDevice() throws Exception {
    try (WsClient device = WsClient.joined(server, "wait")) {
      CompletableFuture<InteractionState> outcome =
          client.requester().createAndWait("wait", InteractionRequest.of("approve", Map.of("tool", "git push")));
      JsonNode shown = device.next("interaction");
      assertEquals("git push", shown.path("payload").path("tool").asText());
      device.send("{\"type\":\"answer\",\"id\":\"" + shown.path("id").asText() + "\",\"value\":{\"approved\":true}}");

      InteractionState answered = outcome.get(30, TimeUnit.SECONDS);

      assertEquals(OutcomeCode.ANSWERED, answered.outcome().orElseThrow(), answered.toString());
      assertEquals(shown.path("id").asText(), answered.id());
      assertEquals(Map.of("approved", true), answered.valueAs(Map.class));
      assertTrue(answered.answeredBy().orElseThrow().startsWith("websocket-"), answered.toString());
    }
  }

  @Test
  void aCreateWhoseResponseWasLostIsRetriedWithItsKeyAndCreatesOneInteraction() throws Exception {
    try (ResponseLosingProxy proxy = ResponseLosingProxy.to(server.port());
        InteractionsClient throughProxy = InteractionsClient.builder(URI.create("http://127.0.0.1:" + proxy.port())).build()) {
      InteractionState created =
          throughProxy.requester().create("lost", InteractionRequest.of("approve", null)).get(30, TimeUnit.SECONDS);

      assertTrue(proxy.lostAResponse(), "the first response was lost, so the create was sent again");
      JsonNode session = server.get("/v1/sessions/lost").body();
      assertEquals(1, session.path("pending").size(), "the retry created nothing new: " + session);
      assertEquals(created.id(), session.path("pending").get(0).path("id").asText());
    }
  }

  @Test
  void aCancelledInteractionReadsCancelledAndSoDoesItsCancelAgain() throws Exception {
    InteractionState created = client.requester().create("cancel", InteractionRequest.of("approve", null)).get(30, TimeUnit.SECONDS);
    assertTrue(created.isPending(), created.toString());

    InteractionState cancelled = client.requester().cancel("cancel", created.id()).get(30, TimeUnit.SECONDS);

    assertEquals(OutcomeCode.CANCELLED, cancelled.outcome().orElseThrow());
    assertEquals(OutcomeCode.CANCELLED, client.requester().get("cancel", created.id()).get(30, TimeUnit.SECONDS).outcome().orElseThrow());
    assertEquals(OutcomeCode.CANCELLED, client.requester().cancel("cancel", created.id()).get(30, TimeUnit.SECONDS).outcome().orElseThrow());
  }

  @Test
  void refusalsCarryTheWireCodeTheStatusAndTheServersMessage() {
    RefusedException tooShort =
        refusal(client.requester().create("bad", InteractionRequest.builder("approve", null).timeout(Duration.ofMillis(50)).build()));
    assertEquals("bad_request", tooShort.code());
    assertEquals(400, tooShort.httpStatus().getAsInt());
    assertTrue(tooShort.getMessage().startsWith("timeoutMs: "), tooShort.getMessage());

    RefusedException unknown = refusal(client.requester().get("bad", "no-such-interaction"));
    assertEquals("unknown_interaction", unknown.code());
    assertEquals(404, unknown.httpStatus().getAsInt());

    RefusedException noHistory = refusal(client.requester().history("bad", HistoryQuery.all()));
    assertEquals("history_unavailable", noHistory.code(), "the memory store keeps no history");
    assertEquals(501, noHistory.httpStatus().getAsInt());
  }

  // --- steps ---------------------------------------------------------------------------------------------------------

  private static RefusedException refusal(CompletableFuture<?> call) {
    try {
      Object value = call.get(30, TimeUnit.SECONDS);
      throw new AssertionError("expected a refusal, got " + value);
    } catch (ExecutionException e) {
      return assertInstanceOf(RefusedException.class, e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
