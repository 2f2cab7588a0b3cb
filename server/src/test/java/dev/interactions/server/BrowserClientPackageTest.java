package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.interactions.protocol.WireCodec;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.w3c.dom.Document;

/**
 * The browser client's npm package ({@code clients/js}), the one source of {@code client.js} and {@code client.d.ts}:
 * the server serves exactly its files, its types pass {@code tsc} against their usage file, and its version is the
 * project's.
 *
 * <p>The type check needs Node.js and the package's {@code npm ci} (TypeScript). Without them it is skipped, except on
 * CI ({@code CI=true}), where it fails: {@code .ci/run} installs them.
 */
class BrowserClientPackageTest {

  private static final Path MODULE = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
  private static final Path PACKAGE = MODULE.resolve("../clients/js").normalize();
  private static final Path TSC = PACKAGE.resolve("node_modules/typescript/bin/tsc");
  /** tsc writes here rather than to a pipe nobody reads while it runs. */
  private static final Path TSC_OUTPUT = MODULE.resolve("target/tsc/output.txt");
  /** What tsc must have checked: a tsconfig that found no usage file would pass without checking anything. */
  private static final List<String> CHECKED = List.of("/clients/js/client.d.ts", "/clients/js/test/usage.ts");
  private static final String HOW_TO_ENABLE = "(cd clients/js && npm ci)";
  /** tsc takes a few seconds; a busy two-core machine may take many times that. */
  private static final Duration TSC_DEADLINE = Duration.ofMinutes(3);

  private static TestServer server;

  @BeforeAll
  static void start() {
    // With auth on: a page loads the client before it has anything to authenticate with.
    server = TestServer.startWithJwt();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @ParameterizedTest
  @CsvSource({
    "/client.js, client.js, application/javascript; charset=UTF-8",
    "/client.d.ts, client.d.ts, application/typescript; charset=UTF-8"
  })
  void serverServesThePackagesFileWithoutATokenCachedBriefly(String path, String file, String contentType)
      throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(server.http(path)).timeout(Duration.ofSeconds(30)).build();

    HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());

    assertEquals(200, response.statusCode(), response::body);
    assertEquals(contentType, response.headers().firstValue("Content-Type").orElse(""));
    assertEquals("public, max-age=300", response.headers().firstValue("Cache-Control").orElse(""));
    assertEquals(Files.readString(PACKAGE.resolve(file), StandardCharsets.UTF_8), response.body());
  }

  @Test
  void typesCheckAgainstTheirUsageWithTheStrictestSettings() throws IOException, InterruptedException {
    String skipped = missingTools();
    assumeTrue(skipped == null, skipped);
    Files.createDirectories(TSC_OUTPUT.getParent());
    Process tsc =
        new ProcessBuilder("node", TSC.toString(), "--noEmit", "--listFiles", "-p", PACKAGE.toString())
            .redirectErrorStream(true)
            .redirectOutput(TSC_OUTPUT.toFile())
            .start();

    boolean finished = tsc.waitFor(TSC_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);

    if (!finished) {
      tsc.destroyForcibly();
    }
    // --listFiles names each file checked by its absolute path; everything else tsc prints is an error.
    Map<Boolean, List<String>> filesAndErrors =
        Files.readAllLines(TSC_OUTPUT, StandardCharsets.UTF_8).stream()
            .collect(Collectors.partitioningBy(line -> line.startsWith("/")));
    String errors = String.join("\n", filesAndErrors.get(false));
    assertTrue(finished, () -> "tsc did not finish within " + TSC_DEADLINE + ":\n" + errors);
    assertEquals(0, tsc.exitValue(), () -> "tsc --noEmit -p clients/js reported errors:\n" + errors);
    for (String file : CHECKED) {
      boolean read = filesAndErrors.get(true).stream().anyMatch(checked -> checked.endsWith(file));
      assertTrue(read, () -> "tsc never read " + file);
    }
  }

  @Test
  void packageVersionIsTheProjectVersion() throws Exception {
    Document rootPom =
        DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(PACKAGE.resolve("../../pom.xml").toFile());
    String projectVersion = XPathFactory.newInstance().newXPath().evaluate("/project/version", rootPom);

    String packageVersion =
        WireCodec.mapper().readTree(PACKAGE.resolve("package.json").toFile()).path("version").asText();

    assertEquals(projectVersion, packageVersion, "clients/js/package.json's version, released with the server");
  }

  /** What to install when Node.js or the package's TypeScript is missing (null when nothing is); fails on CI. */
  private static String missingTools() {
    List<String> missing = new ArrayList<>();
    if (!Files.isRegularFile(TSC)) {
      missing.add("TypeScript in " + PACKAGE + "/node_modules");
    }
    if (!TestPrerequisites.nodeRuns()) {
      missing.add("Node.js as `node` on the PATH");
    }
    return TestPrerequisites.skipReason("the browser client's type check", missing, HOW_TO_ENABLE);
  }
}
