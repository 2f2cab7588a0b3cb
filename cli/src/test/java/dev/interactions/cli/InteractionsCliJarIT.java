package dev.interactions.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interactions.server.TestServer;
import dev.interactions.server.WsClient;
import dev.interactions.transport.auth.TestTokens;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar, run as the README runs it: {@code java -jar interactions-cli.jar ask … && deploy} in a shell, in a
 * child JVM, against a real server with auth on, the server's address and the token in {@code ORCHESTRATOR_URL} and
 * {@code ORCHESTRATOR_TOKEN}. Runs after the package phase (Failsafe), when the jar exists.
 */
class InteractionsCliJarIT {

  private static final Path JAR = Path.of("target", "interactions-cli.jar");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static TestServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = TestServer.startWithJwt();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void aPipelineGoesAheadOnlyWhenThePersonConfirms(@TempDir Path directory) throws Exception {
    assertEquals("deploying", pipeline(directory, "yes", "{\"confirmed\":true}", 0));
    assertEquals("", pipeline(directory, "no", "{\"confirmed\":false}", 1));
  }

  @Test
  void withoutATokenTheServerRefusesAndTheJarExitsThree(@TempDir Path directory) throws Exception {
    Process ask =
        start(directory, Map.of("ORCHESTRATOR_URL", server.url()), "java -jar \"$CLI_JAR\" ask --session no-token 'Deploy?'");

    assertEquals(ExitStatus.ERROR, finish(ask));
    assertEquals("", Files.readString(directory.resolve("out")));
    assertEquals(
        "error: the server refused: 401 unauthorized: missing bearer token\n", Files.readString(directory.resolve("err")));
  }

  @Test
  void theTokenOptionStandsForTheEnvironment(@TempDir Path directory) throws Exception {
    Process ask =
        start(
            directory,
            Map.of("TOKEN", requesterToken("by-option")),
            "java -jar \"$CLI_JAR\" ask --url " + server.url() + " --session by-option --token \"$TOKEN\" --timeout 300ms 'Anyone?'");

    assertEquals(ExitStatus.NOT_DECIDED, finish(ask), () -> output(directory));
    assertEquals("expired", JSON.readTree(Files.readString(directory.resolve("out"))).path("status").asText());
  }

  /** A token that may request interactions of {@code sessionId} and join it, as a CI pipeline's would. */
  private static String requesterToken(String sessionId) {
    return TestTokens.requesterFor(TestTokens.SECRET, "ci-pipeline", sessionId);
  }

  @Test
  void theJarCarriesPicocliAndNoPekko() throws Exception {
    try (JarFile jar = new JarFile(JAR.toFile())) {
      assertEquals("dev.interactions.cli.InteractionsCli", jar.getManifest().getMainAttributes().getValue("Main-Class"));
      assertTrue(jar.stream().anyMatch(entry -> entry.getName().startsWith("picocli/")));
      assertTrue(jar.stream().noneMatch(entry -> entry.getName().startsWith("org/apache/pekko/")), "Pekko in the CLI's jar");
    }
  }

  /**
   * Runs {@code ask … && echo deploying} while a device of the session answers {@code answer}; returns what followed
   * the outcome's JSON line on stdout.
   */
  private static String pipeline(Path directory, String session, String answer, int expectedStatus) throws Exception {
    String token = requesterToken(session);
    try (WsClient device = WsClient.connect(server.ws("/v1/sessions/" + session + "/ws"), TestServer.bearer(token))) {
      device.next("welcome");
      device.next("synced");
      Process ask =
          start(
              directory,
              Map.of("ORCHESTRATOR_URL", server.url(), "ORCHESTRATOR_TOKEN", token),
              "java -jar \"$CLI_JAR\" ask --session " + session + " --timeout 2m 'Deploy to production?' && echo deploying");
      JsonNode shown = device.next("interaction");
      assertEquals("Deploy to production?", shown.path("payload").path("message").asText());
      device.answer(shown.path("id").asText(), answer);

      assertEquals(expectedStatus, finish(ask), () -> output(directory));
      List<String> lines = Files.readAllLines(directory.resolve("out"));
      JsonNode outcome = JSON.readTree(lines.get(0));
      assertEquals("answered", outcome.path("status").asText(), () -> output(directory));
      assertEquals(JSON.readTree(answer), outcome.path("value"));
      assertEquals("", Files.readString(directory.resolve("err")));
      return String.join("\n", lines.subList(1, lines.size()));
    }
  }

  /** {@code script} in {@code sh}, with this JVM's java first on the path, stdout and stderr into files. */
  private static Process start(Path directory, Map<String, String> environment, String script) throws Exception {
    assertTrue(Files.isRegularFile(JAR), JAR.toAbsolutePath() + " is missing: the package phase builds it");
    ProcessBuilder builder =
        new ProcessBuilder("sh", "-c", script)
            .redirectOutput(directory.resolve("out").toFile())
            .redirectError(directory.resolve("err").toFile());
    Map<String, String> env = builder.environment();
    env.remove("ORCHESTRATOR_URL");
    env.remove("ORCHESTRATOR_TOKEN");
    env.putAll(environment);
    env.put("CLI_JAR", JAR.toAbsolutePath().toString());
    env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator + env.get("PATH"));
    return builder.start();
  }

  private static int finish(Process process) throws InterruptedException {
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the CLI did not end within 120 s");
    }
    return process.exitValue();
  }

  private static String output(Path directory) {
    try {
      return "stdout:\n" + Files.readString(directory.resolve("out")) + "stderr:\n" + Files.readString(directory.resolve("err"));
    } catch (java.io.IOException e) {
      return "(output unreadable: " + e + ")";
    }
  }
}
