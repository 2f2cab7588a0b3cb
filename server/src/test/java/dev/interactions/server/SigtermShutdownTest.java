package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interactions.protocol.WireCodec;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runnable server in its own JVM, stopped with SIGTERM as an orchestrator platform stops it. */
class SigtermShutdownTest {

  private Process server;

  @AfterEach
  void killLeftovers() {
    if (server != null && server.isAlive()) {
      server.destroyForcibly();
    }
  }

  @Test
  void sigtermEndsPendingInteractionsTellsClientsAndExitsWithinTheDeadline() throws Exception {
    int port = freePort();
    server =
        new ProcessBuilder(
                javaBinary(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Dorchestrator.http.port=" + port,
                "-Dorchestrator.http.shutdown-deadline=5s",
                Main.class.getName())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    HttpClient http = HttpClient.newHttpClient();
    awaitReady(http, port);
    try (WsClient client = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/v1/sessions/sigterm/ws"))) {
      client.next("welcome");
      String id =
          WireCodec.mapper()
              .readTree(
                  http.send(
                          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/sessions/sigterm/interactions"))
                              .POST(HttpRequest.BodyPublishers.ofString("{\"kind\":\"approve\",\"timeoutMs\":60000}"))
                              .build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body())
              .path("id")
              .asText();
      client.next("interaction");

      long start = System.nanoTime();
      server.destroy(); // SIGTERM

      JsonNode closed = client.next("closed");
      assertEquals(id, closed.path("id").asText());
      assertEquals("shutdown", closed.path("outcome").asText());
      assertEquals(1000, client.awaitClosedByServer(), "a normal close frame");
      assertTrue(server.waitFor(30, TimeUnit.SECONDS), "the server process exits");
      assertTrue(
          Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(20)) < 0,
          "within the configured deadline plus JVM exit");
    }
  }

  private void awaitReady(HttpClient http, int port) throws InterruptedException {
    URI ready = URI.create("http://127.0.0.1:" + port + "/health/ready");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline && server.isAlive()) {
      try {
        if (http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notListeningYet) {
        Thread.sleep(100); // polling a port that is not bound yet; there is nothing to wait on but time
      }
    }
    throw new AssertionError("the server never became ready");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static String javaBinary() {
    return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
  }
}
