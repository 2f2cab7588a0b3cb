package dev.interactions.loadtool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParameterException;

class LoadOptionsTest {

  @Test
  void defaultsSuitALaptop() {
    LoadOptions options = LoadTool.parse();

    assertEquals(List.of(URI.create("http://127.0.0.1:8080")), options.urls());
    assertEquals(List.of(URI.create("http://127.0.0.1:8080/metrics")), options.metricsUrls());
    assertEquals(200, options.clients());
    assertEquals(50, options.sessions());
    assertEquals(20, options.requesters());
    assertEquals(Duration.ofSeconds(60), options.duration());
    assertEquals(Mix.DEFAULT, options.mix());
    assertEquals(Duration.ofSeconds(1), options.interactionTimeout());
    assertEquals(Duration.ofSeconds(60), options.settle());
    assertEquals(Duration.ofSeconds(60), options.metricsWait());
    assertEquals(Duration.ofSeconds(5), options.progressEvery());
    assertEquals(Optional.empty(), options.report());
    assertEquals(Optional.empty(), options.requesterToken());
    assertEquals(Optional.empty(), options.clientToken());
  }

  @Test
  void readsBothOptionForms() {
    LoadOptions options =
        LoadTool.parse(
            "--url=http://10.0.0.5:9090/", "--clients", "10000", "--duration", "30m", "--interaction-timeout=500ms",
            "--mix", "answer=1,drop=1", "--report", "out.json", "--requester-token", "r", "--client-token", "c");

    assertEquals(List.of(URI.create("http://10.0.0.5:9090")), options.urls());
    assertEquals(List.of(URI.create("http://10.0.0.5:9090/metrics")), options.metricsUrls());
    assertEquals(10_000, options.clients());
    assertEquals(Duration.ofMinutes(30), options.duration());
    assertEquals(Duration.ofMillis(500), options.interactionTimeout());
    assertEquals(new Mix(Map.of(Fate.ANSWER, 1, Fate.DROP, 1)), options.mix());
    assertEquals(Optional.of(Path.of("out.json")), options.report());
    assertEquals(Optional.of("r"), options.requesterToken());
    assertEquals(Optional.of("c"), options.clientToken());
    assertEquals("load-abc-3", options.sessionOf("abc", 53));
  }

  @Test
  void namesTheOptionAtFault() {
    assertEquals("Unknown options: '--client', '5'", message("--client", "5"));
    assertEquals("Unmatched argument at index 0: 'clients'", message("clients"));
    assertEquals("Invalid value for option '--clients': '0' is not a whole number above 0", message("--clients", "0"));
    assertEquals("Invalid value for option '--sessions': 'many' is not a whole number above 0", message("--sessions", "many"));
    assertEquals(
        "Invalid value for option '--settle': 'soon' is not a duration like 500ms, 20s, 30m, 1h", message("--settle", "soon"));
    assertEquals("Invalid value for option '--duration': '0s' is not above zero", message("--duration", "0s"));
    assertEquals("Invalid value for option '--mix': unknown fate 'answr'", message("--mix", "answr=5"));
    assertEquals("Invalid value for option '--mix': at least one weight must be positive", message("--mix", "answer=0"));
    assertEquals(
        "Invalid value for option '--mix': 'answer' needs a whole weight >= 0, e.g. answer=70", message("--mix", "answer"));
    assertEquals("--interaction-timeout must be between 100ms and 1h", message("--interaction-timeout", "50ms"));
    assertEquals("--interaction-timeout must be between 100ms and 1h", message("--interaction-timeout", "2h"));
    assertEquals(
        "Invalid value for option '--url' (URL[,URL...]): 'ws://x' is not an http:// or https:// URL", message("--url", "ws://x"));
    assertEquals("Missing required parameter for option '--duration' (D)", message("--duration"));
    assertEquals(
        "Invalid value for option '--url' (URL[,URL...]): '' is not an http:// or https:// URL", message("--url", "http://a:1,"));
    assertEquals("--url names http://a:1 twice", message("--url", "http://a:1", "--url", "http://a:1/"));
    assertEquals(
        "--metrics-url names 1 scrape(s) for 2 server(s): give one per --url, in the same order",
        message("--url", "http://a:1,http://b:2", "--metrics-url", "http://a:1/metrics"));
  }

  @Test
  void anOptionGivenTwiceKeepsItsLastValue() {
    assertEquals(7, LoadTool.parse("--clients", "3", "--clients=7").clients());
  }

  @Test
  void helpPrintsTheUsageOnStandardOutputAndSucceeds() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int status = LoadTool.run(new String[] {"--help"}, printing(out), printing(err));

    assertEquals(LoadTool.PASSED, status);
    String usage = out.toString(StandardCharsets.UTF_8);
    assertTrue(usage.startsWith("Usage: java -jar interactions-loadtool.jar [options]"), usage);
    for (String option :
        List.of(
            "--url", "--metrics-url", "--clients", "--sessions", "--requesters", "--duration", "--mix",
            "--interaction-timeout", "--settle", "--metrics-wait", "--report", "--requester-token", "--client-token",
            "--progress", "--help")) {
      assertTrue(usage.contains(option + (option.equals("--help") ? "" : "=")), option + " missing:\n" + usage);
    }
    assertTrue(usage.replaceAll("\\s+", "").contains("[" + Mix.DEFAULT_TEXT + "]"), usage); // wrapped at 120 columns
    assertTrue(usage.contains("Exit status:"), usage);
    assertEquals("", err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void badOptionsAreToldWithTheUsageAndExitWithTheirOwnStatus() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int status = LoadTool.run(new String[] {"--client", "5"}, printing(out), printing(err));

    assertEquals(LoadTool.USAGE, status);
    assertEquals("", out.toString(StandardCharsets.UTF_8));
    String told = err.toString(StandardCharsets.UTF_8);
    assertTrue(told.startsWith("error: Unknown options: '--client', '5'"), told);
    assertTrue(told.contains("Possible solutions: --clients"), told);
    assertTrue(told.contains("Usage: java -jar interactions-loadtool.jar [options]"), told);
  }

  @Test
  void severalServersRepeatedOrCommaSeparated() {
    LoadOptions options =
        LoadTool.parse("--url", "http://127.0.0.1:8081,http://127.0.0.1:8082/", "--url=http://127.0.0.1:8083");

    assertEquals(
        List.of(URI.create("http://127.0.0.1:8081"), URI.create("http://127.0.0.1:8082"), URI.create("http://127.0.0.1:8083")),
        options.urls());
    assertEquals(
        List.of(
            URI.create("http://127.0.0.1:8081/metrics"),
            URI.create("http://127.0.0.1:8082/metrics"),
            URI.create("http://127.0.0.1:8083/metrics")),
        options.metricsUrls());

    LoadOptions scraped =
        LoadTool.parse("--url", "http://a:1,http://b:2", "--metrics-url", "http://a:9/m", "--metrics-url", "http://b:9/m");
    assertEquals(List.of(URI.create("http://a:9/m"), URI.create("http://b:9/m")), scraped.metricsUrls());
  }

  @Test
  void oneServerTakesEveryClientAndRequester() {
    LoadOptions options = LoadTool.parse("--url", "http://127.0.0.1:9000", "--clients", "30", "--requesters", "7");

    for (int slot = 0; slot < 30; slot++) {
      assertEquals(URI.create("http://127.0.0.1:9000"), options.clientUrl(slot));
    }
    for (int number = 0; number < 7; number++) {
      assertEquals(URI.create("http://127.0.0.1:9000"), options.requesterUrl(number));
    }
  }

  @Test
  void clientsAndRequestersAreSpreadEvenlyAndEachSessionOverSeveralServers() {
    // 2 servers and an even number of sessions: plain slot % 2 would put every client of a session on one server.
    LoadOptions options =
        LoadTool.parse("--url", "http://a:1,http://b:2", "--clients", "200", "--sessions", "50", "--requesters", "21");
    Map<URI, Integer> clientsPerServer = new HashMap<>();
    Map<String, Set<URI>> serversPerSession = new HashMap<>();
    for (int slot = 0; slot < options.clients(); slot++) {
      clientsPerServer.merge(options.clientUrl(slot), 1, Integer::sum);
      serversPerSession.computeIfAbsent(options.sessionOf("run", slot), session -> new HashSet<>()).add(options.clientUrl(slot));
    }
    Map<URI, Integer> requestersPerServer = new HashMap<>();
    for (int number = 0; number < options.requesters(); number++) {
      requestersPerServer.merge(options.requesterUrl(number), 1, Integer::sum);
    }

    assertEquals(Map.of(URI.create("http://a:1"), 100, URI.create("http://b:2"), 100), clientsPerServer);
    assertEquals(50, serversPerSession.size());
    serversPerSession.forEach((session, servers) -> assertEquals(2, servers.size(), session));
    assertEquals(Map.of(URI.create("http://a:1"), 11, URI.create("http://b:2"), 10), requestersPerServer);
    assertEquals(URI.create("http://a:1"), options.requesterUrl(0));
    assertEquals(URI.create("http://b:2"), options.requesterUrl(1));
  }

  @Test
  void threeServersShareTheClientsWithinOne() {
    LoadOptions options = LoadTool.parse("--url", "http://a:1,http://b:2,http://c:3", "--clients", "200", "--sessions", "50");
    Map<URI, Integer> clientsPerServer = new HashMap<>();
    for (int slot = 0; slot < options.clients(); slot++) {
      clientsPerServer.merge(options.clientUrl(slot), 1, Integer::sum);
    }

    assertEquals(3, clientsPerServer.size());
    clientsPerServer.values().forEach(count -> assertEquals(200 / 3.0, count, 1.0, clientsPerServer.toString()));
    // Consecutive slots take the servers in turn.
    assertEquals(
        List.of(URI.create("http://a:1"), URI.create("http://b:2"), URI.create("http://c:3"), URI.create("http://a:1")),
        List.of(options.clientUrl(0), options.clientUrl(1), options.clientUrl(2), options.clientUrl(3)));
  }

  @Test
  void theMixDrawsEveryFateInProportion() {
    Mix mix = Mix.parse("answer=6,reject=3,drop=1");
    SplittableRandom random = new SplittableRandom(42);
    int[] drawn = new int[Fate.values().length];
    for (int i = 0; i < 100_000; i++) {
      drawn[mix.draw(random).ordinal()]++;
    }

    assertEquals(60_000, drawn[Fate.ANSWER.ordinal()], 1_000);
    assertEquals(30_000, drawn[Fate.REJECT.ordinal()], 1_000);
    assertEquals(10_000, drawn[Fate.DROP.ordinal()], 1_000);
    assertEquals(0, drawn[Fate.CANCEL.ordinal()] + drawn[Fate.TIMEOUT.ordinal()] + drawn[Fate.DISCONNECT.ordinal()]);
  }

  private static String message(String... args) {
    return assertThrows(ParameterException.class, () -> LoadTool.parse(args)).getMessage();
  }

  private static PrintStream printing(ByteArrayOutputStream bytes) {
    return new PrintStream(bytes, true, StandardCharsets.UTF_8);
  }
}
