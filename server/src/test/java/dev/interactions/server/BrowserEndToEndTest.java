package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.interactions.transport.auth.TestTokens;
import dev.interactions.protocol.WireCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo page ({@code /}) and the browser client ({@code /client.js}) in real headless Chromium against a real
 * server: {@code src/test/browser/demo.e2e.mjs} (Playwright's {@code playwright-core} driving Debian's
 * {@code /usr/bin/chromium}) runs its scenarios once, and each test here checks what one scenario reported.
 *
 * <p>Needs Node.js, Chromium and the script's {@code npm ci}. Without them the tests are skipped, except on CI
 * ({@code CI=true}), where they fail: {@code .ci/run} installs both.
 */
class BrowserEndToEndTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final String HOW_TO_ENABLE =
      "apt-get install -y chromium && (cd server/src/test/browser && npm ci)";
  /** The script takes about 1.5 minutes on a busy two-core machine. */
  private static final Duration SCRIPT_DEADLINE = Duration.ofMinutes(5);
  /** How long the server may take to let go of closed pages. */
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  private static final int INTERACTIONS = 2000;
  private static final int IN_FLIGHT = 250;

  private static TestServer server;
  private static Run run;
  private static TestServer securedServer;
  private static Run securedRun;
  /** Why the tests are skipped (what to install), or null when they ran. */
  private static String skipped;

  /** What the script did: its exit code, everything it printed, and its results line. */
  private record Run(int exitCode, List<String> output, JsonNode results) {

    JsonNode scenario(String name) {
      JsonNode scenario = results.path("scenarios").path(name);
      assertTrue(scenario.isObject(), () -> "the script did not run " + name + ": " + results);
      assertTrue(scenario.path("ok").asBoolean(), () -> name + " failed: " + scenario.path("error").asText() + "\n" + scenario);
      return scenario;
    }
  }

  @BeforeAll
  static void runScenariosInChromium() throws Exception {
    Path scripts = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("src/test/browser");
    skipped = missingTools(scripts);
    if (skipped != null) {
      System.err.println("BrowserEndToEndTest skipped: " + skipped);
      return;
    }
    // The leak check keeps a few hundred interactions pending at once, above the default bound of 100 per session.
    server = TestServer.start("orchestrator.session.max-pending-interactions = " + IN_FLIGHT);
    Path screenshot = scripts.resolve("../../../target/browser/two-pages.png").normalize();
    run =
        node(
            scripts,
            "demo.e2e.mjs",
            "--url=http://127.0.0.1:" + server.port(),
            "--interactions=" + INTERACTIONS,
            "--in-flight=" + IN_FLIGHT,
            "--screenshot=" + screenshot,
            "--chromium=" + CHROMIUM);
    securedServer =
        TestServer.start(
            "orchestrator.auth.mode = jwt\norchestrator.auth.jwt.secret = \"" + TestTokens.SECRET + "\"");
    securedRun =
        node(
            scripts,
            "demo.e2e.mjs",
            "--url=http://127.0.0.1:" + securedServer.port(),
            "--scenarios=authenticated",
            "--client-token=" + TestTokens.client(TestTokens.SECRET, "browser", "e2e-authenticated"),
            "--requester-token=" + TestTokens.requester(TestTokens.SECRET, "backend"),
            "--chromium=" + CHROMIUM);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (securedServer != null) {
      securedServer.close();
    }
  }

  @Test
  void pageWorksWithAuthOnThroughTheAccessTokenInItsUrlAndShowsWhatOthersMustAnswerReadOnly() {
    assumeTrue(skipped == null, () -> skipped);
    assertEquals(0, securedRun.exitCode(), () -> String.join("\n", securedRun.output()));
    JsonNode authenticated = securedRun.scenario("authenticated");

    assertTrue(authenticated.path("answeredBy").asText().startsWith("websocket-"), authenticated::toString);
    // An interaction naming someone else as its answerer: shown read-only, never reported shown (checked in the script).
    JsonNode readOnly = authenticated.path("readOnly");
    assertTrue(readOnly.path("disabled").asBoolean(), readOnly::toString);
    assertEquals("view only", readOnly.path("badge").asText(), readOnly.toString());
    assertTrue(readOnly.path("note").asText().contains("someone else"), readOnly.toString());
  }

  @Test
  void everyScenarioPassedAndTheScriptExitedCleanly() {
    Run script = run();
    assertTrue(script.results().path("ok").asBoolean(), () -> "results: " + script.results());
    assertEquals(0, script.exitCode(), () -> String.join("\n", script.output()));
  }

  @Test
  void twoPagesShowAnInteractionAndBothRetractItWhenOneAnswers() {
    JsonNode twoPages = run().scenario("twoPages");

    String answeredBy = twoPages.path("answeredBy").asText();
    assertTrue(answeredBy.startsWith("websocket-"), () -> "answeredBy names the first page's WebSocket: " + twoPages);
    assertNotEquals(twoPages.path("otherConnection").asText(), answeredBy, twoPages::toString);
    assertTrue(Files.isRegularFile(Path.of(twoPages.path("screenshot").asText())), () -> "screenshot: " + twoPages);
  }

  @Test
  void everyStandardKindIsAnsweredThroughItsControlsAndTheRequesterReadsTypedJson() {
    Map<String, JsonNode> answered = answeredByName(run().scenario("standardKinds"));

    assertEquals(
        Set.of("confirm", "choice", "multi_choice", "text", "form", "deploy-approval"),
        answered.values().stream().map(answer -> answer.path("kind").asText()).collect(Collectors.toSet()),
        answered::toString);
    answered.values().forEach(answer -> assertEquals(answer.path("expected"), answer.path("stored"), answer::toString));
    assertFalse(answered.get("confirm, declined with a reason").path("stored").path("confirmed").asBoolean(true), "a decline is an answer");
    assertTrue(answered.get("choice").path("stored").path("value").isIntegralNumber(), "an option's number stays a number");
    JsonNode form = answered.get("form").path("stored");
    assertTrue(form.path("replicas").isIntegralNumber(), form::toString);
    assertTrue(form.path("share").isFloatingPointNumber(), form::toString);
    assertTrue(form.path("canary").isBoolean(), form::toString);
    assertTrue(form.path("notify").isArray(), form::toString);
    assertFalse(form.has("ticket"), "an empty optional field is left out");
    assertEquals(
        Instant.parse("2026-12-01T08:30:00Z"),
        OffsetDateTime.parse(form.path("start").asText()).toInstant(),
        "09:30 typed in Berlin, sent as RFC 3339");
  }

  @Test
  void anAnswerTheServerRefusesShowsItsMessageNextToTheFieldAndTheCorrectedOneIsTaken() {
    JsonNode form = answeredByName(run().scenario("standardKinds")).get("form");

    JsonNode refusal = form.path("refusal");
    assertEquals("pending", refusal.path("statusAfterRefusal").asText(), refusal::toString);
    List<String> serverMessages = new ArrayList<>();
    refusal.path("serverErrors").forEach(error -> {
      assertEquals("/contact", error.path("pointer").asText(), refusal::toString);
      serverMessages.add(error.path("message").asText());
    });
    assertFalse(serverMessages.isEmpty(), refusal::toString);
    JsonNode shown = refusal.path("shownNextTo");
    assertEquals(1, shown.size(), () -> "shown next to the contact field only: " + shown);
    List<String> shownByContact = new ArrayList<>();
    shown.path("/contact").forEach(message -> shownByContact.add(message.asText()));
    assertEquals(serverMessages, shownByContact, shown::toString);
    assertEquals(2, form.path("answersSent").asInt(), () -> "the refused answer, then the corrected one: " + form);
  }

  @Test
  void aPageReportsWhatItShowsSoItOutlivesItsDeliveryDeadlineAndPagesSayWhereItWasSeen() {
    JsonNode delivered = run().scenario("humanTime").path("delivered");

    assertEquals(delivered.path("reportingConnection").asText(), delivered.path("shownBy").asText(), delivered::toString);
    assertEquals("pending", delivered.path("statusPastDeliveryDeadline").asText(), delivered::toString);
    assertEquals("seen here", delivered.path("reportingPageSays").asText(), delivered::toString);
    assertEquals("seen on another device", delivered.path("laterPageSays").asText(), delivered::toString);
    assertEquals(0, delivered.path("reportsByTheLaterPage").asInt(-1), () -> "shown already, so not reported again: " + delivered);
  }

  @Test
  void typingInACardExtendsItsDeadlineOnTheServerAndEveryPageCountsDownToIt() {
    JsonNode extended = run().scenario("humanTime").path("extended");

    Instant requested = Instant.parse(extended.path("requestedExpiresAt").asText());
    Instant now = Instant.parse(extended.path("expiresAt").asText());
    assertTrue(now.isAfter(requested), extended::toString);
    assertFalse(now.isAfter(Instant.parse(extended.path("extendableUntil").asText())), extended::toString);
    assertEquals(1, extended.path("extendsSent").asInt(), () -> "a burst of keystrokes asks once: " + extended);
    assertEquals(2, extended.path("countdowns").size(), extended::toString);
    extended.path("countdowns").forEach(countdown -> {
      assertTrue(countdown.path("shows").asInt() > 20, () -> "beyond the requested 20 s: " + extended);
      assertTrue(Math.abs(countdown.path("shows").asInt() - countdown.path("serverSays").asInt()) <= 3, extended::toString);
    });
    JsonNode seen = extended.path("seen");
    assertEquals("seen here", seen.path("reporting").asText(), extended::toString);
    assertEquals("seen on another device", seen.path("other").asText(), extended::toString);
  }

  @Test
  void anInteractionNoPageShowsEndsUndelivered() {
    JsonNode undelivered = run().scenario("humanTime").path("undelivered");

    assertEquals("undelivered", undelivered.path("outcome").asText(), undelivered::toString);
  }

  @Test
  void thousandsOfInteractionsLeaveNoCardStateHandlerNodeOrListenerInThePage() {
    JsonNode leak = run().scenario("leakCheck");

    assertEquals(INTERACTIONS, leak.path("interactions").asInt(), leak::toString);
    assertTrue(leak.path("maxInFlight").asInt() <= IN_FLIGHT, leak::toString);
    JsonNode before = leak.path("before");
    JsonNode after = leak.path("after");
    assertEquals(0, after.path("cards").asInt(), after::toString);
    assertEquals(0, after.path("pending").asInt(), after::toString);
    assertEquals(0, after.path("domCards").asInt(), after::toString);
    assertEquals(before.path("handlers"), after.path("handlers"), "client handlers before and after");
    assertEquals(before.path("windowListeners"), after.path("windowListeners"), "listeners on window");
    assertEquals(before.path("documentListeners"), after.path("documentListeners"), "listeners in the document");
  }

  @Test
  void reconnectingPageShowsWhatWasRequestedAndDropsWhatClosedWhileItWasAway() {
    JsonNode reconnect = run().scenario("reconnect");

    assertEquals("gone", reconnect.path("droppedOutcome").asText(), reconnect::toString);
    assertEquals(2, reconnect.path("connections").size(), reconnect::toString);
    assertEquals(2, reconnect.path("syncedPending").asInt(), reconnect::toString);
  }

  @Test
  void closedBrowsersLeaveNoConnectionOrInteractionOnTheServer() throws InterruptedException {
    run();
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while ((server.census().connections() > 0 || server.census().interactions() > 0) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(0, server.census().connections(), "connections");
    assertEquals(0, server.census().interactions(), "interactions");
  }

  /** What standardKinds reported for each prompt, by its name. */
  private static Map<String, JsonNode> answeredByName(JsonNode standardKinds) {
    return StreamSupport.stream(standardKinds.path("answered").spliterator(), false)
        .collect(Collectors.toMap(answer -> answer.path("name").asText(), Function.identity()));
  }

  // --- running the script ------------------------------------------------------------------------------------------

  /** The scenarios' results; skips the test (locally) when the tools were missing. */
  private static Run run() {
    assumeTrue(skipped == null, () -> skipped);
    return run;
  }

  /**
   * What to install when Node.js, Chromium or playwright-core is missing (null when nothing is); fails at once on CI,
   * which must never skip these tests.
   */
  private static String missingTools(Path scripts) {
    List<String> missing = new ArrayList<>();
    if (!Files.isExecutable(CHROMIUM)) {
      missing.add("Chromium at " + CHROMIUM + " (apt-get install -y chromium)");
    }
    if (!Files.isRegularFile(scripts.resolve("node_modules/playwright-core/package.json"))) {
      missing.add("playwright-core in " + scripts + "/node_modules (cd server/src/test/browser && npm ci)");
    }
    if (!TestPrerequisites.nodeRuns()) {
      missing.add("Node.js 20+ as `node` on the PATH");
    }
    return TestPrerequisites.skipReason("browser end-to-end tests", missing, HOW_TO_ENABLE);
  }

  /** Runs {@code node args…} in {@code directory}, echoing its output, and reads the JSON results line it prints. */
  private static Run node(Path directory, String... args) throws InterruptedException {
    List<String> command = new ArrayList<>(List.of("node"));
    command.addAll(List.of(args));
    Process process;
    try {
      process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + command, e);
    }
    List<String> output = Collections.synchronizedList(new ArrayList<>());
    Thread reader = new Thread(() -> echo(process, output), "demo.e2e.mjs output");
    reader.setDaemon(true);
    reader.start();
    if (!process.waitFor(SCRIPT_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
      // Chromium is the script's child: end it too, or it outlives the test.
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      fail("demo.e2e.mjs did not finish within " + SCRIPT_DEADLINE + "; it printed:\n" + String.join("\n", output));
    }
    reader.join(TimeUnit.SECONDS.toMillis(10));
    List<String> lines = List.copyOf(output);
    String resultsLine =
        lines.stream()
            .filter(line -> line.startsWith("{"))
            .reduce((first, second) -> second)
            .orElseGet(() -> fail("demo.e2e.mjs (exit " + process.exitValue() + ") printed no results:\n" + String.join("\n", lines)));
    try {
      return new Run(process.exitValue(), lines, WireCodec.mapper().readTree(resultsLine));
    } catch (JsonProcessingException e) {
      return fail("demo.e2e.mjs printed unreadable results: " + resultsLine, e);
    }
  }

  private static void echo(Process process, List<String> output) {
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        System.out.println(line);
        output.add(line);
      }
    } catch (IOException e) {
      output.add("(reading the script's output failed: " + e + ")");
    }
  }
}
