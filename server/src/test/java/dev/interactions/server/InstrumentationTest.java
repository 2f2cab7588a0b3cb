package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The runnable server in its own JVM with {@code orchestrator.metrics.instrumentation = on}: {@code Main} attaches the
 * Kanela agent before Pekko loads, and Kamon's actor metrics appear in the scrape for our actor groups (never per actor),
 * beside the JVM and process metrics.
 */
class InstrumentationTest {

  private static final long DEADLINE_SECONDS = 120;
  private static final String SESSION = "instrumented-alice";

  private final HttpClient http = HttpClient.newHttpClient();
  private ServerProcess server;

  @AfterEach
  void stopServer() throws InterruptedException {
    if (server != null) {
      server.terminate();
      if (!server.awaitExit(30)) {
        server.close();
      }
    }
  }

  @Test
  void kanelaInstrumentsOurActorGroupsAndNoSeriesNamesAnActor() throws Exception {
    server =
        ServerProcess.start(
            null,
            "orchestrator.metrics.instrumentation=on",
            "orchestrator.metrics.tick-interval=1s",
            "orchestrator.persistence.store=memory");
    int port = server.port;
    String base = "http://127.0.0.1:" + port;

    try (WsClient client = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/v1/sessions/" + SESSION + "/ws"))) {
      String connectionId = client.next("welcome").path("connectionId").asText();
      String interactionId = server.createInteraction(SESSION, 60_000);
      client.next("interaction");

      Scrape scrape =
          awaitScrape(
              base,
              "one member in each of our actor groups, and the JVM metrics (collected every 10 s)",
              s ->
                  s.value("pekko_group_members_max", "group", "sessions", "system", "interactions") == 1
                      && s.value("pekko_group_members_max", "group", "interactions", "system", "interactions") == 1
                      && s.value("pekko_group_members_max", "group", "connections", "system", "interactions") >= 1
                      && s.has("jvm_memory_used_bytes_count"));

      assertTrue(scrape.has("pekko_group_processing_time_seconds_count"), "time spent by each group's messages");
      assertTrue(scrape.has("pekko_group_pending_messages_max"), "mailbox sizes");
      assertTrue(scrape.has("jvm_gc_seconds_count"), "garbage collection");
      assertTrue(scrape.has("jvm_threads_total"), "threads");
      assertTrue(scrape.has("process_ulimit_file_descriptors_used"), "open file descriptors");
      assertEquals(1, scrape.value("interactions_sessions_alive"));
      for (Scrape.Sample sample : scrape.samples()) {
        for (String value : sample.labels().values()) {
          for (String id : List.of(SESSION, connectionId, interactionId)) {
            assertFalse(value.contains(id), sample + " carries the id " + id);
          }
        }
      }
    }
  }

  private Scrape awaitScrape(String base, String what, Predicate<Scrape> condition) throws Exception {
    Scrape[] last = new Scrape[1];
    await(
        what,
        () -> {
          last[0] =
              Scrape.parse(
                  http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString())
                      .body());
          return condition.test(last[0]);
        });
    return last[0];
  }

  /** Polls {@code condition}: a port that is not bound yet and a snapshot not taken yet give nothing to wait on. */
  private void await(String what, Condition condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never saw " + what + " within " + DEADLINE_SECONDS + " s");
      }
      LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
    }
  }

  @FunctionalInterface
  private interface Condition {
    boolean holds() throws Exception;
  }
}
