package dev.interactions.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interactions.protocol.Identifiers;
import dev.interactions.server.TestServer;
import dev.interactions.server.WsClient;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI against a real server, run in-process through picocli as {@code main} runs it: what each outcome prints and
 * exits with, answered or rejected by a device over a real WebSocket, and how it fails.
 */
class RequesterCliTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger SESSIONS = new AtomicInteger();

  private static TestServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = TestServer.start("");
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void aConfirmedConfirmExitsZeroWithTheOutcomeAsOneJsonLine() throws Exception {
    String session = newSession();
    try (WsClient device = WsClient.joined(server, session)) {
      CompletableFuture<CliRun> asking =
          inBackground("ask", "--url", server.url(), "--session", session, "--kind", "confirm", "--timeout", "2m", "Deploy to production?");
      JsonNode shown = device.next("interaction");
      assertEquals("confirm", shown.path("kind").asText());
      assertEquals("{\"message\":\"Deploy to production?\"}", shown.path("payload").toString());
      device.answer(shown.path("id").asText(), "{\"confirmed\":true}");

      CliRun run = finished(asking);

      assertEquals(ExitStatus.ANSWERED, run.status(), run::toString);
      JsonNode outcome = onlyLine(run);
      assertEquals(shown.path("id").asText(), outcome.path("id").asText());
      assertEquals(session, outcome.path("sessionId").asText());
      assertEquals("answered", outcome.path("status").asText());
      assertEquals("{\"confirmed\":true}", outcome.path("value").toString());
      assertTrue(outcome.path("answeredBy").asText().startsWith("websocket-"), run::toString);
      assertEquals("", run.err());
    }
  }

  @Test
  void aConfirmAnsweredNoExitsOne() throws Exception {
    String session = newSession();
    try (WsClient device = WsClient.joined(server, session)) {
      CompletableFuture<CliRun> asking = inBackground("ask", "--url", server.url(), "--session", session, "Deploy?");
      device.answer(device.next("interaction").path("id").asText(), "{\"confirmed\":false,\"reason\":\"not on a Friday\"}");

      CliRun run = finished(asking);

      assertEquals(ExitStatus.REJECTED, run.status(), run::toString);
      assertEquals("answered", onlyLine(run).path("status").asText());
      assertEquals("not on a Friday", onlyLine(run).path("value").path("reason").asText());
    }
  }

  @Test
  void aRejectionExitsOneWithItsReason() throws Exception {
    String session = newSession();
    try (WsClient device = WsClient.joined(server, session)) {
      CompletableFuture<CliRun> asking = inBackground("ask", "--url", server.url(), "--session", session, "Deploy?");
      device.reject(device.next("interaction").path("id").asText(), "busy");

      CliRun run = finished(asking);

      assertEquals(ExitStatus.REJECTED, run.status(), run::toString);
      assertEquals("rejected", onlyLine(run).path("status").asText());
      assertEquals("busy", onlyLine(run).path("reason").asText());
    }
  }

  @Test
  void anyAnswerToAKindOfOneOwnExitsZeroAndPayloadGivesTheWholePayload() throws Exception {
    String session = newSession();
    try (WsClient device = WsClient.joined(server, session)) {
      CompletableFuture<CliRun> asking =
          inBackground(
              "ask", "--url", server.url(), "--session", session, "--kind", "tool-approval", "--payload",
              "{\"tool\":\"git push\",\"args\":[\"--force\"]}");
      JsonNode shown = device.next("interaction");
      assertEquals("{\"tool\":\"git push\",\"args\":[\"--force\"]}", shown.path("payload").toString());
      device.answer(shown.path("id").asText(), "{\"approved\":false}");

      CliRun run = finished(asking);

      assertEquals(ExitStatus.ANSWERED, run.status(), run::toString);
      assertEquals("{\"approved\":false}", onlyLine(run).path("value").toString());
    }
  }

  @Test
  void aChoiceTakesItsOptionsFromPayloadAndItsMessageFromTheArgument() throws Exception {
    String session = newSession();
    try (WsClient device = WsClient.joined(server, session)) {
      CompletableFuture<CliRun> asking =
          inBackground(
              "ask", "--url", server.url(), "--session", session, "--kind", "choice", "--payload",
              "{\"options\":[{\"value\":\"eu\",\"title\":\"Europe\"},{\"value\":\"us\",\"title\":\"US\"}]}",
              "Which region?");
      JsonNode shown = device.next("interaction");
      assertEquals("Which region?", shown.path("payload").path("message").asText());
      assertEquals(2, shown.path("payload").path("options").size());
      device.answer(shown.path("id").asText(), "{\"value\":\"eu\"}");

      CliRun run = finished(asking);

      assertEquals(ExitStatus.ANSWERED, run.status(), run::toString);
      assertEquals("eu", onlyLine(run).path("value").path("value").asText());
    }
  }

  @Test
  void aMessageIsTakenAsItIsEvenWhenItNamesAFile(@TempDir Path directory) throws Exception {
    Path arguments = Files.writeString(directory.resolve("arguments"), "--no-wait");
    String session = newSession();
    try (WsClient device = WsClient.joined(server, session)) {
      CompletableFuture<CliRun> asking = inBackground("ask", "--url", server.url(), "--session", session, "@" + arguments);
      JsonNode shown = device.next("interaction");
      assertEquals("@" + arguments, shown.path("payload").path("message").asText());
      device.answer(shown.path("id").asText(), "{\"confirmed\":true}");

      assertEquals(ExitStatus.ANSWERED, finished(asking).status());
    }
  }

  @Test
  void anExpiredAskExitsTwo() {
    CliRun run = CliRun.of("ask", "--url", server.url(), "--session", newSession(), "--timeout", "300ms", "Anyone there?");

    assertEquals(ExitStatus.NOT_DECIDED, run.status(), run::toString);
    assertEquals("expired", onlyLine(run).path("status").asText());
  }

  @Test
  void aWaitingAskEndsWithTheCancelAndBothExitTwo() throws Exception {
    String session = newSession();
    try (WsClient device = WsClient.joined(server, session)) {
      CompletableFuture<CliRun> asking = inBackground("ask", "--url", server.url(), "--session", session, "Deploy?");
      String id = device.next("interaction").path("id").asText();

      CliRun cancel = CliRun.of("cancel", "--url", server.url(), "--session", session, id);
      CliRun ask = finished(asking);

      assertEquals(ExitStatus.NOT_DECIDED, cancel.status(), cancel::toString);
      assertEquals("cancelled", onlyLine(cancel).path("status").asText());
      assertEquals(ExitStatus.NOT_DECIDED, ask.status(), ask::toString);
      assertEquals("cancelled", onlyLine(ask).path("status").asText());
      assertEquals(id, onlyLine(ask).path("id").asText());
    }
  }

  @Test
  void noWaitPrintsTheIdAndGetReadsItPendingThenWaitsForTheAnswer() throws Exception {
    String session = newSession();
    try (WsClient device = WsClient.joined(server, session)) {
      CliRun asked = CliRun.of("ask", "--url", server.url(), "--session", session, "--no-wait", "--timeout", "2m", "Deploy?");
      assertEquals(ExitStatus.CREATED, asked.status(), asked::toString);
      String id = asked.out().strip();
      assertTrue(Identifiers.isValid(id) && asked.out().equals(id + System.lineSeparator()), asked::toString);

      CliRun pending = CliRun.of("get", "--url", server.url(), "--session", session, id);
      assertEquals(ExitStatus.PENDING, pending.status(), pending::toString);
      assertEquals("pending", onlyLine(pending).path("status").asText());
      assertEquals("Deploy?", onlyLine(pending).path("payload").path("message").asText());

      CompletableFuture<CliRun> waiting = inBackground("get", "--url", server.url(), "--session", session, "--wait", id);
      device.answer(device.next("interaction").path("id").asText(), "{\"confirmed\":true}");
      CliRun answered = finished(waiting);
      assertEquals(ExitStatus.ANSWERED, answered.status(), answered::toString);
      assertEquals("answered", onlyLine(answered).path("status").asText());

      CliRun read = CliRun.of("get", "--url", server.url(), "--session", session, id);
      assertEquals(ExitStatus.ANSWERED, read.status(), read::toString);
      CliRun lateCancel = CliRun.of("cancel", "--url", server.url(), "--session", session, id);
      assertEquals(ExitStatus.ANSWERED, lateCancel.status(), "a cancel after the answer keeps it:\n" + lateCancel);
    }
  }

  @Test
  void theSameIdempotencyKeyNamesTheSameInteraction() {
    String session = newSession();
    String[] ask = {"ask", "--url", server.url(), "--session", session, "--no-wait", "--idempotency-key", "deploy-42", "Deploy?"};

    CliRun first = CliRun.of(ask);
    CliRun again = CliRun.of(ask);

    assertEquals(ExitStatus.CREATED, first.status(), first::toString);
    assertEquals(first.out(), again.out());
  }

  @Test
  void anUnreachableServerExitsThreeSayingSo() throws Exception {
    try (Socket boundNotListening = new Socket()) {
      // Holds the port for the whole run (nobody else can bind it) while connections to it are refused.
      boundNotListening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      String url = "http://127.0.0.1:" + boundNotListening.getLocalPort();

      // Kept trying for at most 1.5 s (RetryPolicyTest holds the policy to its bound), not the default 30 s.
      CliRun run = CliRun.of("ask", "--url", url, "--session", "s1", "--retry-for", "1500ms", "Deploy?");

      assertEquals(ExitStatus.ERROR, run.status(), run::toString);
      assertEquals("", run.out());
      // The rest of the line is the JDK's: "connection failed (ConnectException)" on Java 17 (no message of its own).
      assertTrue(run.err().startsWith("error: cannot reach " + url + ": "), run::toString);
      assertEquals(1, run.err().lines().count(), run::toString);
    }
  }

  @Test
  void aRefusalExitsThreeWithTheServersMessage() {
    CliRun tooShort = CliRun.of("ask", "--url", server.url(), "--session", newSession(), "--timeout", "50ms", "Deploy?");
    CliRun noMessage = CliRun.of("ask", "--url", server.url(), "--session", newSession(), "--kind", "confirm");
    CliRun unknown = CliRun.of("get", "--url", server.url(), "--session", newSession(), "no-such-interaction");

    assertEquals(ExitStatus.ERROR, tooShort.status(), tooShort::toString);
    assertEquals("", tooShort.out());
    assertEquals(
        "error: the server refused: 400 bad_request: timeoutMs: must be between 100 and 3600000 ms\n", tooShort.err());
    assertEquals(ExitStatus.ERROR, noMessage.status(), noMessage::toString);
    assertTrue(noMessage.err().startsWith("error: the server refused: 400 bad_request: payload"), noMessage::toString);
    assertEquals(ExitStatus.ERROR, unknown.status(), unknown::toString);
    assertTrue(unknown.err().startsWith("error: the server refused: 404 unknown_interaction: "), unknown::toString);
  }

  private static String newSession() {
    return "cli-" + SESSIONS.incrementAndGet();
  }

  private static CompletableFuture<CliRun> inBackground(String... args) {
    return CompletableFuture.supplyAsync(() -> CliRun.of(args));
  }

  private static CliRun finished(CompletableFuture<CliRun> run) throws Exception {
    return run.get(60, TimeUnit.SECONDS);
  }

  /** Stdout, which must be exactly one line of JSON. */
  private static JsonNode onlyLine(CliRun run) {
    assertEquals(1, run.out().lines().count(), run::toString);
    assertFalse(run.out().isBlank(), run::toString);
    try {
      return JSON.readTree(run.out());
    } catch (Exception e) {
      throw new AssertionError("stdout is not JSON:\n" + run, e);
    }
  }
}
