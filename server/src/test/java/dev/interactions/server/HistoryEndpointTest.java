package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /v1/sessions/{sessionId}/interactions}: closed interactions read from the journal, page by page. */
class HistoryEndpointTest {

  @TempDir static Path data;
  private static TestServer server;
  private static final ActorTestKit testKit = ActorTestKit.create("history-test");

  @BeforeAll
  static void start() {
    server =
        TestServer.start(
            "orchestrator.persistence.store = jdbc\n"
                + "orchestrator.persistence.jdbc.url = \"jdbc:h2:file:" + data.resolve("db").toAbsolutePath() + "\"\n"
                + "orchestrator.session.reconnect-grace = 10m\n");
  }

  @AfterAll
  static void stop() {
    server.close();
    testKit.shutdownTestKit();
  }

  @Test
  void listsClosedInteractionsOldestFirstFilteredByOutcomeAndPaged() {
    List<String> cancelled = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String id = create("h1", 600_000).path("id").asText();
      assertEquals(200, server.delete("/v1/sessions/h1/interactions/" + id).status());
      cancelled.add(id);
    }
    String expired = create("h1", 100).path("id").asText();
    awaitHistorySize("h1", 4);

    JsonNode onlyCancelled = server.get("/v1/sessions/h1/interactions?status=cancelled").body();
    assertEquals(cancelled, ids(onlyCancelled), "oldest first, only the cancelled ones");
    JsonNode onlyExpired = server.get("/v1/sessions/h1/interactions?status=expired").body();
    assertEquals(List.of(expired), ids(onlyExpired));
    assertEquals("expired", onlyExpired.path("interactions").get(0).path("status").asText());
    assertTrue(onlyExpired.path("interactions").get(0).hasNonNull("closedAt"));

    List<String> paged = new ArrayList<>();
    String next = null;
    do {
      JsonNode page =
          server.get("/v1/sessions/h1/interactions?limit=3" + (next == null ? "" : "&after=" + next)).body();
      paged.addAll(ids(page));
      next = page.path("next").isNull() ? null : page.path("next").asText();
    } while (next != null);
    List<String> all = new ArrayList<>(cancelled);
    all.add(expired);
    assertEquals(all, paged, "two pages of at most 3, nothing repeated or missed");
  }

  @Test
  void aSessionWithoutHistoryHasAnEmptyLastPage() {
    JsonNode page = server.get("/v1/sessions/nobody/interactions").body();
    assertEquals(0, page.path("interactions").size());
    assertTrue(page.path("next").isNull());
  }

  @Test
  void anUnknownStatusIsABadRequestNamingTheField() {
    TestServer.Reply reply = server.get("/v1/sessions/h1/interactions?status=maybe");
    assertEquals(400, reply.status());
    assertEquals("bad_request", reply.body().path("error").path("code").asText());
    assertTrue(reply.body().path("error").path("message").asText().startsWith("status:"));
  }

  @Test
  void aCursorThatIsNotOneIsABadRequestNamingTheField() {
    TestServer.Reply reply = server.get("/v1/sessions/h1/interactions?after=yesterday");
    assertEquals(400, reply.status());
    assertTrue(reply.body().path("error").path("message").asText().startsWith("after:"));
  }

  @Test
  void withTheMemoryStoreTheHistoryIsUnavailable() {
    try (TestServer memory = TestServer.start("")) {
      TestServer.Reply reply = memory.get("/v1/sessions/h1/interactions");
      assertEquals(501, reply.status());
      assertEquals("history_unavailable", reply.body().path("error").path("code").asText());
    }
  }

  private static JsonNode create(String sessionId, long timeoutMs) {
    TestServer.Reply reply =
        server.post("/v1/sessions/" + sessionId + "/interactions", "{\"kind\":\"k\",\"timeoutMs\":" + timeoutMs + "}");
    assertEquals(201, reply.status(), reply.body().toString());
    return reply.body();
  }

  private static void awaitHistorySize(String sessionId, int size) {
    testKit
        .createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(30),
            () -> {
              assertEquals(size, server.get("/v1/sessions/" + sessionId + "/interactions").body().path("interactions").size());
              return null;
            });
  }

  private static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.path("interactions").forEach(entry -> ids.add(entry.path("id").asText()));
    return ids;
  }
}
