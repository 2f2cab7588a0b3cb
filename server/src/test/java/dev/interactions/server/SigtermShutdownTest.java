package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

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
}
