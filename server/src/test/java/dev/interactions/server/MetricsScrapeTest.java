package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.interactions.metrics.KamonStartup;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} after a known sequence over real sockets: 3 sessions with a WebSocket client each, 5
 * interactions (2 answered over a WebSocket, 1 expired, 1 cancelled, 1 disconnected), and exactly the counts it must
 * produce.
 *
 * <p>Kamon is global to the JVM and earlier test classes ran servers of their own, so counters are compared with the
 * first scrape of this server (whatever an earlier server counted in that first snapshot period is in both); gauges
 * are absolute. Every figure is awaited with a deadline, since a scrape shows Kamon's last snapshot.
 */
class MetricsScrapeTest {

  private static final String ALICE = "metrics-alice";
  private static final String BOB = "metrics-bob";
  private static final String CAROL = "metrics-carol";
  private static final String COMPLETED = "interactions_completed_total";
  private static final String FRAMES = "interactions_frames_total";
  private static final String FRAME_BYTES = "interactions_frame_bytes_total";

  private static final String CONFIG =
      """
      orchestrator.metrics { tick-interval = 200ms, gauge-interval = 50ms }
      orchestrator.session { reconnect-grace = 300ms, closed-retention = 5s }
      orchestrator.interaction.when-no-device = grace
      """;

  private static TestServer server;
  private static Sequence sequence;
  private static RuntimeException sequenceFailed;

  /** What the sequence did and saw: the scrapes before, in the middle and after it, and what crossed the sockets. */
  private record Sequence(
      Scrape before, Scrape during, Scrape after, long bytesIn, long bytesOut, Set<String> ids) {

    double counted(String name, String... labels) {
      return after.value(name, labels) - before.value(name, labels);
    }
  }

  @BeforeAll
  static void start() {
    // What Main does first; Kamon takes no snapshots without it. Later test classes in this JVM keep this Kamon.
    KamonStartup.start(ConfigFactory.parseString(CONFIG).withFallback(ConfigFactory.load()).resolve());
    server = TestServer.start(CONFIG);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void gaugesShowTheLiveActorsAndReturnToZero() {
    Sequence run = sequence();

    assertEquals(3, run.during().value("interactions_sessions_alive"), "alice, bob and carol, each with a client");
    assertEquals(3, run.during().value("interactions_connections_alive", "transport", "websocket"));
    assertEquals(0, run.during().value("interactions_connections_alive", "transport", "sse"));
    assertEquals(0, run.during().value("interactions_connections_alive", "transport", "in_process"));
    assertEquals(3, run.during().value("interactions_pending"), "two for alice, one for carol");

    assertEquals(0, run.after().value("interactions_sessions_alive"));
    assertEquals(0, run.after().value("interactions_connections_alive", "transport", "websocket"));
    assertEquals(0, run.after().value("interactions_connections_alive", "transport", "sse"));
    assertEquals(0, run.after().value("interactions_connections_alive", "transport", "in_process"));
    assertEquals(0, run.after().value("interactions_pending"));
    assertTrue(run.after().value("interactions_jvm_heap_after_gc_bytes") > 0, "heap after GC is measured");
  }

  @Test
  void framesAndBytesAreCountedExactlyByDirectionAndTransport() {
    Sequence run = sequence();

    assertEquals(2, run.counted(FRAMES, "direction", "in", "transport", "websocket"), "the two answers");
    // alice: welcome, synced, 2 interactions, 2 acks, 2 closed; bob: welcome, synced, 2 interactions, 2 closed;
    // carol: welcome, synced, 1 interaction.
    assertEquals(17, run.counted(FRAMES, "direction", "out", "transport", "websocket"));
    assertEquals(0, run.counted(FRAMES, "direction", "in", "transport", "sse"));
    assertEquals(0, run.counted(FRAMES, "direction", "out", "transport", "sse"));
    assertEquals(run.bytesIn(), run.counted(FRAME_BYTES, "direction", "in"));
    assertEquals(run.bytesOut(), run.counted(FRAME_BYTES, "direction", "out"));
    assertEquals(0, run.counted("interactions_slow_consumer_disconnects_total", "transport", "websocket"));
    for (String reason :
        List.of("session_limit", "pending_limit", "connection_limit", "duplicate_id", "waiter_limit", "shutting_down")) {
      assertEquals(0, run.counted("interactions_refused_total", "reason", reason), reason);
    }
  }

  /**
   * Needs the session core to report outcomes to {@code Census.Observer#interactionClosed} (the session rewrite does;
   * the core of this branch does not call the observer yet).
   */
  @Test
  void completedInteractionsAreCountedExactlyByOutcome() {
    Sequence run = sequence();

    assertEquals(2, run.counted(COMPLETED, "outcome", "answered"));
    assertEquals(1, run.counted(COMPLETED, "outcome", "expired"));
    assertEquals(1, run.counted(COMPLETED, "outcome", "cancelled"));
    assertEquals(1, run.counted(COMPLETED, "outcome", "disconnected"));
    assertEquals(0, run.counted(COMPLETED, "outcome", "rejected"));
    assertEquals(0, run.counted(COMPLETED, "outcome", "shutdown"));
    assertEquals(5, run.counted("interactions_outcome_time_seconds_count"));
  }

  @Test
  void noSeriesIsTaggedWithAnId() {
    Sequence run = sequence();

    for (Scrape scrape : List.of(run.before(), run.during(), run.after())) {
      for (Scrape.Sample sample : scrape.samples()) {
        for (String value : sample.labels().values()) {
          for (String id : run.ids()) {
            assertFalse(value.contains(id), sample + " carries the id " + id);
          }
        }
      }
    }
  }

  @Test
  void ourSeriesCarryOnlyTheirFixedTags() {
    Map<String, Set<String>> allowed =
        Map.of(
            "interactions_completed_total", Set.of("outcome"),
            "interactions_refused_total", Set.of("reason"),
            "interactions_frames_total", Set.of("direction", "transport"),
            "interactions_frame_bytes_total", Set.of("direction"),
            "interactions_connections_alive", Set.of("transport"),
            "interactions_cluster_members", Set.of("status"),
            "interactions_slow_consumer_disconnects_total", Set.of("transport"));
    for (Scrape.Sample sample : sequence().after().samples()) {
      if (sample.name().startsWith("interactions_") && !sample.name().contains("_seconds")) {
        Set<String> expected = allowed.getOrDefault(sample.name(), Set.of());
        assertEquals(expected, sample.labels().keySet(), sample.toString());
      }
    }
  }

  /** Runs the sequence once for all the tests of this class; if it failed, each of them fails with its failure. */
  private static synchronized Sequence sequence() {
    if (sequence == null && sequenceFailed == null) {
      try {
        sequence = run();
      } catch (RuntimeException | AssertionError e) {
        sequenceFailed = new IllegalStateException("the sequence failed", e);
      }
    }
    if (sequenceFailed != null) {
      throw sequenceFailed;
    }
    return sequence;
  }

  private static Sequence run() {
    Set<String> ids = new LinkedHashSet<>(List.of(ALICE, BOB, CAROL));
    Scrape before = awaitScrape("Kamon's first snapshot", Scrape::hasData);
    long bytesIn = 0;
    Scrape during;
    WsClient alice = WsClient.connect(server.ws("/v1/sessions/" + ALICE + "/ws"));
    WsClient bob = WsClient.connect(server.ws("/v1/sessions/" + BOB + "/ws"));
    WsClient carol = WsClient.connect(server.ws("/v1/sessions/" + CAROL + "/ws"));
    try {
      for (WsClient client : List.of(alice, bob, carol)) {
        ids.add(client.next("welcome").path("connectionId").asText());
        client.next("synced");
      }
      String first = create(ALICE, 60_000, ids);
      String second = create(ALICE, 60_000, ids);
      String carols = create(CAROL, 60_000, ids);
      assertEquals(Set.of(first, second), Set.of(idOf(alice.next("interaction")), idOf(alice.next("interaction"))));
      assertEquals(carols, idOf(carol.next("interaction")));

      during =
          awaitScrape(
              "3 sessions, 3 WebSocket connections, 3 pending",
              scrape ->
                  scrape.value("interactions_sessions_alive") == 3
                      && scrape.value("interactions_connections_alive", "transport", "websocket") == 3
                      && scrape.value("interactions_pending") == 3);

      for (String id : List.of(first, second)) {
        String answer = "{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":{\"approved\":true},\"ref\":\"r\"}";
        alice.send(answer);
        bytesIn += answer.getBytes(StandardCharsets.UTF_8).length;
      }
      List<String> replies = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        replies.add(alice.next().path("type").asText());
      }
      assertEquals(Map.of("ack", 2L, "closed", 2L), counts(replies));

      // Bob's client stays connected, so his interactions end by their deadline and by their requester, not by the
      // reconnect grace.
      TestServer.Reply expired =
          server.post(
              "/v1/sessions/" + BOB + "/interactions?waitMs=20000", "{\"kind\":\"approve\",\"timeoutMs\":300}");
      ids.add(expired.body().path("id").asText());
      assertEquals("expired", expired.body().path("status").asText(), expired.toString());
      String cancelled = create(BOB, 60_000, ids);
      TestServer.Reply cancel = server.delete("/v1/sessions/" + BOB + "/interactions/" + cancelled);
      assertEquals("cancelled", cancel.body().path("status").asText(), cancel.toString());
      List<String> bobSaw = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        bobSaw.add(bob.next().path("type").asText());
      }
      assertEquals(Map.of("interaction", 2L, "closed", 2L), counts(bobSaw));

      carol.abort();
      TestServer.Reply disconnected =
          server.get("/v1/sessions/" + CAROL + "/interactions/" + carols + "?waitMs=20000");
      assertEquals("disconnected", disconnected.body().path("status").asText(), disconnected.toString());
    } finally {
      alice.close();
      bob.close();
      carol.abort();
    }
    long bytesOut = alice.bytesReceived() + bob.bytesReceived() + carol.bytesReceived();
    Scrape after =
        awaitScrape(
            "no session, connection or interaction left, and every frame counted",
            scrape ->
                scrape.value("interactions_sessions_alive") == 0
                    && scrape.value("interactions_connections_alive", "transport", "websocket") == 0
                    && scrape.value("interactions_pending") == 0
                    && scrape.value(FRAMES, "direction", "out", "transport", "websocket")
                            - before.value(FRAMES, "direction", "out", "transport", "websocket")
                        >= 17);
    return new Sequence(before, during, after, bytesIn, bytesOut, Set.copyOf(ids));
  }

  private static String create(String sessionId, int timeoutMs, Set<String> ids) {
    TestServer.Reply reply =
        server.post(
            "/v1/sessions/" + sessionId + "/interactions", "{\"kind\":\"approve\",\"timeoutMs\":" + timeoutMs + "}");
    assertEquals(201, reply.status(), reply.toString());
    String id = reply.body().path("id").asText();
    ids.add(id);
    return id;
  }

  private static String idOf(JsonNode interaction) {
    return interaction.path("id").asText();
  }

  private static Map<String, Long> counts(List<String> values) {
    Map<String, Long> counts = new HashMap<>();
    values.forEach(value -> counts.merge(value, 1L, Long::sum));
    return counts;
  }

  private static Scrape awaitScrape(String what, Predicate<Scrape> condition) {
    return Scrape.await(server, what, condition);
  }
}
