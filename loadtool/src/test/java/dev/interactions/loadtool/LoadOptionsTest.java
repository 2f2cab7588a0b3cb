package dev.interactions.loadtool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
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

class LoadOptionsTest {

  @Test
  void defaultsSuitALaptop() {
    LoadOptions options = LoadOptions.parse();

    assertEquals(List.of(URI.create("http://127.0.0.1:8080")), options.urls());
    assertEquals(List.of(URI.create("http://127.0.0.1:8080/metrics")), options.metricsUrls());
    assertEquals(200, options.clients());
    assertEquals(50, options.sessions());
    assertEquals(20, options.requesters());
    assertEquals(Duration.ofSeconds(60), options.duration());
    assertEquals(Mix.DEFAULT, options.mix());
    assertEquals(Optional.empty(), options.report());
  }

  @Test
  void readsBothOptionForms() {
    LoadOptions options =
        LoadOptions.parse(
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
    assertEquals("unknown option --client", message("--client", "5"));
    assertEquals("--clients must be a whole number above 0, not '0'", message("--clients", "0"));
    assertEquals("--settle: 'soon' is not a duration like 500ms, 20s, 30m, 1h", message("--settle", "soon"));
    assertEquals("--mix: unknown fate 'answr'", message("--mix", "answr=5"));
    assertEquals("--mix: at least one weight must be positive", message("--mix", "answer=0"));
    assertEquals("--interaction-timeout must be between 100ms and 1h", message("--interaction-timeout", "50ms"));
    assertEquals("--url must be an http:// or https:// URL, not 'ws://x'", message("--url", "ws://x"));
    assertEquals("--duration needs a value", message("--duration"));
    assertEquals("--url must be an http:// or https:// URL, not ''", message("--url", "http://a:1,"));
    assertEquals("--url names http://a:1 twice", message("--url", "http://a:1", "--url", "http://a:1/"));
    assertEquals(
        "--metrics-url names 1 scrape(s) for 2 server(s): give one per --url, in the same order",
        message("--url", "http://a:1,http://b:2", "--metrics-url", "http://a:1/metrics"));
  }

  @Test
  void severalServersRepeatedOrCommaSeparated() {
    LoadOptions options =
        LoadOptions.parse("--url", "http://127.0.0.1:8081,http://127.0.0.1:8082/", "--url=http://127.0.0.1:8083");

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
        LoadOptions.parse("--url", "http://a:1,http://b:2", "--metrics-url", "http://a:9/m", "--metrics-url", "http://b:9/m");
    assertEquals(List.of(URI.create("http://a:9/m"), URI.create("http://b:9/m")), scraped.metricsUrls());
  }

  @Test
  void oneServerTakesEveryClientAndRequester() {
    LoadOptions options = LoadOptions.parse("--url", "http://127.0.0.1:9000", "--clients", "30", "--requesters", "7");

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
        LoadOptions.parse("--url", "http://a:1,http://b:2", "--clients", "200", "--sessions", "50", "--requesters", "21");
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
    LoadOptions options = LoadOptions.parse("--url", "http://a:1,http://b:2,http://c:3", "--clients", "200", "--sessions", "50");
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
    return assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(args)).getMessage();
  }
}
