package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real process, as an operator runs it: SIGTERM shuts it down gracefully and in order. */
class SigtermShutdownTest {

  @Test
  void sigtermEndsPendingInteractionsTellsClientsAndExitsWithinTheDeadline() throws Exception {
    try (ServerProcess server =
        ServerProcess.start(
            null, "orchestrator.http.shutdown-deadline=5s", "orchestrator.persistence.store=memory")) {
      try (WsClient client = WsClient.connect(URI.create("ws://127.0.0.1:" + server.port + "/v1/sessions/sigterm/ws"))) {
        client.next("welcome");
        String id = server.createInteraction("sigterm", 60_000);
        client.next("interaction");

        long start = System.nanoTime();
        server.terminate();

        JsonNode closed = client.next("closed");
        assertEquals(id, closed.path("id").asText());
        assertEquals("shutdown", closed.path("outcome").asText());
        assertEquals(1000, client.awaitClosedByServer(), "a normal close frame");
        assertTrue(server.awaitExit(30), "the server process exits");
        assertTrue(
            Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(20)) < 0,
            "within the configured deadline plus JVM exit");
      }
    }
  }

  @Test
  void sigtermWhileRequestsKeepArrivingOnTheDefaultStoreLogsNoError(@TempDir Path directory) throws Exception {
    Path log = directory.resolve("server.log");
    try (ServerProcess server = ServerProcess.startIn(directory, log, "orchestrator.http.shutdown-deadline=5s")) {
      HttpClient http = HttpClient.newHttpClient();
      AtomicBoolean stopping = new AtomicBoolean();
      AtomicInteger created = new AtomicInteger();
      // 32 requesters creating interactions in new sessions, back to back, until the server is gone: sessions start,
      // recover and write while the shutdown runs.
      List<CompletableFuture<Void>> requesters =
          IntStream.range(0, 32)
              .mapToObj(
                  n ->
                      CompletableFuture.runAsync(
                          () -> {
                            for (int i = 0; !stopping.get(); i++) {
                              try {
                                HttpResponse<Void> reply =
                                    http.send(
                                        HttpRequest.newBuilder(server.uri("/v1/sessions/shut-" + n + "-" + i + "/interactions"))
                                            .POST(HttpRequest.BodyPublishers.ofString("{\"kind\":\"k\",\"timeoutMs\":60000}"))
                                            .timeout(Duration.ofSeconds(10))
                                            .build(),
                                        HttpResponse.BodyHandlers.discarding());
                                if (reply.statusCode() == 201) {
                                  created.incrementAndGet();
                                }
                              } catch (Exception gone) {
                                return; // the server closed its port: this requester is done
                              }
                            }
                          }))
              .toList();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (created.get() < 500) {
        assertTrue(System.nanoTime() < deadline, "only " + created.get() + " interactions created");
        Thread.sleep(20);
      }

      server.terminate();
      assertTrue(server.awaitExit(60), "the server process exits");
      stopping.set(true);
      CompletableFuture.allOf(requesters.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }
    List<String> errors = Files.readAllLines(log).stream().filter(line -> line.contains(" ERROR ")).toList();
    assertTrue(errors.isEmpty(), errors.size() + " ERROR lines, the first: " + errors.stream().findFirst().orElse(""));
  }
}
