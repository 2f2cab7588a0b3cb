package dev.interactions.loadtool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tool against a real server: 200 clients churning over 20 sessions and 20 requesters for 20 s, every fate in the
 * mix. The run must end every interaction and leave the server where it found it.
 *
 * <p>The server remembers outcomes for 2 s ({@code closed-retention}, 10 min by default), so its sessions stop 2 s after
 * their last interaction closed, which is what lets "back to baseline" be checked within seconds. Not 0 s: then the
 * server forgets an interaction the moment it closes, and a create-and-wait or a {@code DELETE} that reads the final
 * state a moment later gets 404 instead of the outcome.
 */
class ShortSoakTest {

  private static final String SERVER_CONFIG = "orchestrator.session.closed-retention = 2s";

  private static final String[] LOAD = {
    "--clients", "200", "--sessions", "20", "--requesters", "20", "--duration", "20s",
    // The settle only lasts until the gauges are back (about the 2 s retention); its length is the bound for a slow
    // scrape: a Prometheus reporter that publishes gauges once per tick shows them up to a tick late.
    "--interaction-timeout", "1s", "--settle", "120s", "--progress", "5s",
  };

  private static RunningServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = RunningServer.start(SERVER_CONFIG);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void everyInteractionEndsAndTheActorTreeReturnsToItsBaseline() throws Exception {
    LoadOptions options = LoadTool.parse(withUrl());
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    LoadReport report = new LoadRun(options, server.gauges(), http, System.out).run();

    System.out.print(report.toText());
    assertTrue(report.passed(), report.toText());
    assertEquals(0, report.errors().values().stream().mapToLong(Long::longValue).sum(), report.toText());
    for (String outcome : new String[] {"answered", "rejected", "cancelled", "expired"}) {
      assertTrue(report.outcomes().getOrDefault(outcome, 0L) > 0, "no " + outcome + " outcome:\n" + report.toText());
    }
    assertTrue(report.clientActivity().drops() > 0 && report.clientActivity().disconnects() > 0, report.toText());
    assertTrue(report.clientActivity().connects() > 200, "clients did not churn:\n" + report.toText());
  }

  @Test
  void theCommandPassesAgainstTheServersOwnMetrics(@TempDir Path directory) throws Exception {
    awaitFirstSnapshot();
    Path reportFile = directory.resolve("report.json");
    ByteArrayOutputStream errors = new ByteArrayOutputStream();

    int status =
        LoadTool.run(
            concat(withUrl(), "--report", reportFile.toString()),
            System.out,
            new PrintStream(errors, true, StandardCharsets.UTF_8));

    assertEquals(LoadTool.PASSED, status, errors.toString(StandardCharsets.UTF_8));
    JsonNode report = new ObjectMapper().readTree(Files.readString(reportFile));
    assertTrue(report.path("passed").asBoolean(), report.toPrettyString());
    assertEquals(0, report.path("hung").size(), report.toPrettyString());
    assertTrue(report.path("roundTrips").asLong() > 0, report.toPrettyString());
  }

  /** The server's gauges appear in its scrape with its first metrics snapshot (every second here). */
  private void awaitFirstSnapshot() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    HttpResponse<String> scrape;
    while (!(scrape =
            http.send(HttpRequest.newBuilder(URI.create(server.url() + "/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString()))
        .body()
        .contains("interactions_sessions_alive")) {
      assertTrue(System.nanoTime() < deadline, "no gauges in GET /metrics (" + scrape.statusCode() + ")");
      Thread.sleep(200); // waiting for the server's first metrics snapshot
    }
  }

  @Test
  void refusesToRunWithoutGauges() throws Exception {
    ByteArrayOutputStream errors = new ByteArrayOutputStream();

    int status =
        LoadTool.run(
            concat(
                withUrl(), "--metrics-url", server.url() + "/no-such-scrape", "--duration", "1s", "--metrics-wait", "2s"),
            System.out,
            new PrintStream(errors, true, StandardCharsets.UTF_8));

    assertEquals(LoadTool.NO_GAUGES, status);
    String message = errors.toString(StandardCharsets.UTF_8);
    assertTrue(message.contains("cannot read the server's gauges, so leaks cannot be checked"), message);
    assertTrue(message.contains("/no-such-scrape answered 404"), message);
  }

  private static String[] withUrl() {
    return concat(LOAD, "--url", server.url());
  }

  private static String[] concat(String[] first, String... more) {
    String[] all = new String[first.length + more.length];
    System.arraycopy(first, 0, all, 0, first.length);
    System.arraycopy(more, 0, all, first.length, more.length);
    return all;
  }
}
