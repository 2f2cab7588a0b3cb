package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interactions.protocol.WireCodec;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clients that stop reading, against the real server process with its production logging configuration: the server
 * detaches them, tears their TCP connection down within seconds although they never read again, and logs one warning
 * each, without a stack trace and without any error line.
 */
class SlowConsumerTest {

  /** Generous: the machine has two cores and may be busy with other builds. */
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  /** Liveness and Pekko's idle timeout are far out, so only the slow-consumer rule can end these connections. */
  private static final String[] SETTINGS = {
    "orchestrator.persistence.store=memory",
    "orchestrator.transport.outbound-buffer=4",
    "orchestrator.transport.heartbeat=5m",
    "orchestrator.transport.liveness-timeout=10m",
    "orchestrator.interaction.max-payload-bytes=262144",
    "orchestrator.session.max-pending-interactions=400",
    "pekko.http.server.idle-timeout=10m",
  };

  private static final String PAYLOAD = "{\"blob\":\"" + "x".repeat(100_000) + "\"}";
  private static final int MAX_INTERACTIONS = 300; // 30 MB: several times what the kernel's socket buffers hold

  private static Path log;
  private static ServerProcess server;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    log = Files.createTempFile("slow-consumer", ".log");
    // The server's own logback.xml, as a deployment runs it (the test classpath would pick a test configuration).
    String logback = Path.of(SlowConsumerTest.class.getResource("/logback.xml").toURI()).toString();
    String[] settings = new String[SETTINGS.length + 1];
    System.arraycopy(SETTINGS, 0, settings, 0, SETTINGS.length);
    settings[SETTINGS.length] = "logback.configurationFile=" + logback;
    server = ServerProcess.start(log, settings);
  }

  @AfterAll
  static void stop() throws IOException {
    server.close();
    Files.deleteIfExists(log);
  }

  @Test
  void webSocketClientThatNeverReadsIsDisconnectedAndItsSocketClosedWithinSeconds() throws Exception {
    try (RawHttp client = RawHttp.webSocket(server.port, "slow-ws", 4096)) {
      fillUntilDetached("slow-ws");

      Duration open = client.awaitTornDownWithoutReading(RawHttp.pingFrame(), DEADLINE);

      System.out.printf("slow WebSocket consumer's socket closed %d ms after it was detached%n", open.toMillis());
      assertOneWarningAndNoError("slow-ws");
    }
  }

  @Test
  void eventStreamClientThatNeverReadsIsDisconnectedAndItsSocketClosedWithinSeconds() throws Exception {
    try (RawHttp client = RawHttp.eventStream(server.port, "slow-sse", 4096)) {
      fillUntilDetached("slow-sse");

      // Empty lines between requests are allowed (RFC 9112 §2.2), so this probe is harmless to an open connection.
      Duration open = client.awaitTornDownWithoutReading("\r\n".getBytes(StandardCharsets.US_ASCII), DEADLINE);

      System.out.printf("slow SSE consumer's socket closed %d ms after it was detached%n", open.toMillis());
      assertOneWarningAndNoError("slow-sse");
    }
  }

  /** Requests interactions with large payloads until the session no longer lists the non-reading client. */
  private static void fillUntilDetached(String sessionId) throws Exception {
    await("the client to be attached", () -> connections(sessionId) == 1);
    int created = 0;
    while (created < MAX_INTERACTIONS && connections(sessionId) == 1) {
      HttpResponse<String> reply =
          http.send(
              HttpRequest.newBuilder(server.uri("/v1/sessions/" + sessionId + "/interactions"))
                  .POST(HttpRequest.BodyPublishers.ofString("{\"kind\":\"k\",\"payload\":" + PAYLOAD + ",\"timeoutMs\":60000}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(201, reply.statusCode(), reply.body());
      created++;
    }
    assertTrue(created < MAX_INTERACTIONS, "still attached after " + created + " interactions it never read");
    await("the client to be detached", () -> connections(sessionId) == 0);
  }

  /** The log names the session's slow consumer in one warning line; no line is an error or a stack frame. */
  private static void assertOneWarningAndNoError(String sessionId) throws IOException {
    await("the warning to be written", () -> lines().stream().anyMatch(line -> isWarningFor(line, sessionId)));
    List<String> lines = lines();
    assertEquals(1, lines.stream().filter(line -> isWarningFor(line, sessionId)).count(), String.join("\n", lines));
    assertFalse(lines.stream().anyMatch(line -> line.contains(" ERROR ")), "an error was logged:\n" + String.join("\n", lines));
    assertFalse(lines.stream().anyMatch(line -> line.startsWith("\tat ")), "a stack trace was logged:\n" + String.join("\n", lines));
  }

  private static boolean isWarningFor(String line, String sessionId) {
    return line.contains(" WARN ") && line.contains("slow consumer") && line.contains("of session " + sessionId + " ");
  }

  private static List<String> lines() {
    try {
      return Files.readAllLines(log);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static int connections(String sessionId) {
    try {
      HttpResponse<String> reply =
          http.send(HttpRequest.newBuilder(server.uri("/v1/sessions/" + sessionId)).build(), HttpResponse.BodyHandlers.ofString());
      return WireCodec.mapper().readTree(reply.body()).path("connections").size();
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Polls {@code condition} until it holds, failing after {@link #DEADLINE}. */
  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited " + DEADLINE.toSeconds() + " s for " + what);
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
  }
}
