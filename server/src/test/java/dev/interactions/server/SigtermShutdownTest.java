package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interactions.protocol.WireCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The real process, as an operator runs it: SIGTERM shuts it down gracefully and in order. */
class SigtermShutdownTest {

  @Test
  void sigtermEndsPendingInteractionsTellsClientsAndExitsWithinTheDeadline() throws Exception {
    try (ServerProcess server =
        ServerProcess.start(
            null, "orchestrator.http.shutdown-deadline=5s", "orchestrator.persistence.store=memory")) {
      HttpClient http = HttpClient.newHttpClient();
      try (WsClient client = WsClient.connect(URI.create("ws://127.0.0.1:" + server.port + "/v1/sessions/sigterm/ws"))) {
        client.next("welcome");
        String id =
            WireCodec.mapper()
                .readTree(
                    http.send(
                            HttpRequest.newBuilder(server.uri("/v1/sessions/sigterm/interactions"))
                                .POST(HttpRequest.BodyPublishers.ofString("{\"kind\":\"approve\",\"timeoutMs\":60000}"))
                                .build(),
                            HttpResponse.BodyHandlers.ofString())
                        .body())
                .path("id")
                .asText();
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
}
