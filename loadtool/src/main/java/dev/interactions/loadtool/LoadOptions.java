package dev.interactions.loadtool;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What to run, from the command line.
 *
 * @param urls the servers, e.g. {@code http://127.0.0.1:8080}: one, or the nodes of a cluster; clients and requesters are
 *     spread over them ({@link #clientUrl}, {@link #requesterUrl})
 * @param metricsUrls their Prometheus scrapes, in the same order; {@code <url>/metrics} of each unless given
 * @param clients WebSocket clients kept connected (each dropped or disconnected one is replaced by a new one)
 * @param sessions sessions the clients are spread over (client {@code i} joins session {@code i % sessions})
 * @param requesters concurrent requesters, each one interaction at a time (a closed loop)
 * @param duration how long new interactions are requested
 * @param mix what happens to the interactions
 * @param interactionTimeout the {@code timeoutMs} of interactions meant to expire (timeout, drop, disconnect)
 * @param settle how long to wait after the load for the server to return to its baseline
 * @param metricsWait how long to wait before the load for the servers' first metrics snapshot
 * @param report where to write the report as JSON too, if anywhere
 * @param requesterToken bearer token of the requesters (a JWT with the requester scope), when auth is on
 * @param clientToken {@code access_token} of the WebSocket clients, when auth is on
 * @param progressEvery how often to print a progress line
 */
public record LoadOptions(
    List<URI> urls,
    List<URI> metricsUrls,
    int clients,
    int sessions,
    int requesters,
    Duration duration,
    Mix mix,
    Duration interactionTimeout,
    Duration settle,
    Duration metricsWait,
    Optional<Path> report,
    Optional<String> requesterToken,
    Optional<String> clientToken,
    Duration progressEvery) {

  /** The usage text printed for {@code --help} and after a usage error. */
  public static final String USAGE =
      """
      Usage: java -jar interactions-loadtool.jar [options]

      Drives a running interaction orchestrator server over real sockets: WebSocket clients churning across sessions,
      requesters creating interactions over HTTP, then checks that every interaction ended and that the server's own
      gauges (GET /metrics) returned to where they were before the load.

        --url URL[,URL...]          server address; several (repeated or comma-
                                    separated) for the nodes of a cluster: clients
                                    and requesters are spread over them round-robin [http://127.0.0.1:8080]
        --metrics-url URL[,URL...]  Prometheus scrape of each server, same order    [<url>/metrics]
        --clients N                 WebSocket clients kept connected                [200]
        --sessions S                sessions the clients are spread over            [50]
        --requesters M              concurrent requesters (HTTP, closed loop)       [20]
        --duration D                how long to request interactions                [60s]
        --mix WEIGHTS               fates of the interactions, relative weights     [%s]
                                    answer: a client answers; reject: a client rejects; cancel: the requester
                                    DELETEs it; timeout: nobody answers; drop: the client that sees it drops its
                                    socket without a close frame; disconnect: it closes cleanly. Dropped and
                                    disconnected clients are replaced by new ones; their interactions expire.
        --interaction-timeout D     timeoutMs of interactions meant to expire       [1s]
        --settle D                  after the load, how long to wait for the server
                                    to return to its baseline                       [60s]
        --metrics-wait D            before the load, how long to wait for the server's
                                    first metrics snapshot (a server just started has
                                    none until its first metrics tick)              [60s]
        --report FILE               also write the report as JSON to FILE
        --requester-token TOKEN     bearer token of the requesters (auth on)
        --client-token TOKEN        access_token of the WebSocket clients (auth on)
        --progress D                interval of the progress lines                  [5s]
        --help                      this text

      Durations: 500ms, 20s, 30m, 1h (a bare number is seconds).

      With several servers the gauges are read from each, reported per node and in total, and each node must return
      to its own baseline.

      Exit status: 0 every interaction ended and the server returned to its baseline; 1 an interaction never ended
      (hung) or the server kept sessions, connections or pending interactions after the settle period (a leak);
      2 bad options; 3 the server's gauges could not be read within --metrics-wait (no /metrics, or a gauge
      still missing), so leaks cannot be checked.

      With its default (durable) store the server lets a session go as soon as it has no client and nothing pending.
      With orchestrator.persistence.store=memory it keeps a session for closed-retention (10 minutes) after its last
      interaction closed, which this tool reports as a leak unless --settle is longer: run such a server with a short
      retention, e.g. -Dorchestrator.session.closed-retention=5s (not 0s: the server then forgets an interaction as it
      closes, and a create-and-wait or DELETE reading its final state a moment later can get 404, counted as errors).
      """
          .formatted(Mix.DEFAULT);

  private static final Set<String> KNOWN =
      Set.of(
          "url",
          "metrics-url",
          "clients",
          "sessions",
          "requesters",
          "duration",
          "mix",
          "interaction-timeout",
          "settle",
          "metrics-wait",
          "report",
          "requester-token",
          "client-token",
          "progress");

  /** The options that may be given several times, and list their values separated by commas. */
  private static final Set<String> LISTS = Set.of("url", "metrics-url");

  /**
   * Parses {@code --name value} and {@code --name=value} arguments. {@code --url} and {@code --metrics-url} add up over
   * repetitions and commas; any other option given twice keeps its last value.
   *
   * @throws IllegalArgumentException naming the option at fault
   */
  public static LoadOptions parse(String... args) {
    Map<String, String> given = new HashMap<>();
    Map<String, List<String>> lists = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + arg + "'");
      }
      String name = arg.substring(2);
      String value;
      int equals = name.indexOf('=');
      if (equals >= 0) {
        value = name.substring(equals + 1);
        name = name.substring(0, equals);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException("--" + name + " needs a value");
      }
      if (!KNOWN.contains(name)) {
        throw new IllegalArgumentException("unknown option --" + name);
      }
      if (LISTS.contains(name)) {
        lists.computeIfAbsent(name, key -> new ArrayList<>()).addAll(List.of(value.split(",", -1)));
      } else {
        given.put(name, value);
      }
    }
    List<URI> urls =
        distinct(
            "url",
            lists.getOrDefault("url", List.of("http://127.0.0.1:8080")).stream()
                .map(text -> URI.create(uri("url", text).toString().replaceAll("/+$", "")))
                .toList());
    List<URI> metricsUrls =
        lists.containsKey("metrics-url")
            ? distinct("metrics-url", lists.get("metrics-url").stream().map(text -> uri("metrics-url", text)).toList())
            : urls.stream().map(url -> URI.create(url + "/metrics")).toList();
    if (metricsUrls.size() != urls.size()) {
      throw new IllegalArgumentException(
          "--metrics-url names " + metricsUrls.size() + " scrape(s) for " + urls.size()
              + " server(s): give one per --url, in the same order");
    }
    LoadOptions options =
        new LoadOptions(
            urls,
            metricsUrls,
            positive("clients", given.getOrDefault("clients", "200")),
            positive("sessions", given.getOrDefault("sessions", "50")),
            positive("requesters", given.getOrDefault("requesters", "20")),
            duration("duration", given.getOrDefault("duration", "60s")),
            given.containsKey("mix") ? Mix.parse(given.get("mix")) : Mix.DEFAULT,
            duration("interaction-timeout", given.getOrDefault("interaction-timeout", "1s")),
            duration("settle", given.getOrDefault("settle", "60s")),
            duration("metrics-wait", given.getOrDefault("metrics-wait", "60s")),
            Optional.ofNullable(given.get("report")).map(Path::of),
            Optional.ofNullable(given.get("requester-token")),
            Optional.ofNullable(given.get("client-token")),
            duration("progress", given.getOrDefault("progress", "5s")));
    if (options.interactionTimeout.toMillis() < 100 || options.interactionTimeout.toMillis() > 3_600_000) {
      // The server's own bounds (orchestrator.interaction.min-timeout / max-timeout): refuse here rather than 400s.
      throw new IllegalArgumentException("--interaction-timeout must be between 100ms and 1h");
    }
    return options;
  }

  /**
   * The server client slot {@code slot} connects to: round-robin over the servers, shifted by one for every round of
   * the sessions, so that the clients of one session are spread over the servers too (with plain {@code slot % servers}
   * and as many sessions as a multiple of the servers, all clients of a session would share one server, and an
   * interaction would never be fanned out to clients on several nodes).
   */
  public URI clientUrl(int slot) {
    return urls.get((slot % sessions + slot / sessions) % urls.size());
  }

  /** The server requester {@code number} sends its requests to: round-robin over the servers. */
  public URI requesterUrl(int number) {
    return urls.get(number % urls.size());
  }

  /** The session id of client slot {@code slot}, unique to this run so that runs never share sessions. */
  public String sessionOf(String runId, int slot) {
    return sessionId(runId, slot % sessions);
  }

  /** Session {@code index} of this run. */
  public static String sessionId(String runId, int index) {
    return "load-" + runId + "-" + index;
  }

  /**
   * Parses {@code 500ms}, {@code 20s}, {@code 30m}, {@code 1h}, or a bare number of seconds.
   *
   * @throws IllegalArgumentException naming {@code option}
   */
  static Duration duration(String option, String text) {
    String value = text.strip().toLowerCase(Locale.ROOT);
    try {
      if (value.endsWith("ms")) {
        return checked(option, Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2))));
      }
      long amount = Long.parseLong(value.replaceAll("[smh]$", ""));
      return checked(
          option,
          switch (value.charAt(value.length() - 1)) {
            case 'm' -> Duration.ofMinutes(amount);
            case 'h' -> Duration.ofHours(amount);
            default -> Duration.ofSeconds(amount);
          });
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      throw new IllegalArgumentException("--" + option + ": '" + text + "' is not a duration like 500ms, 20s, 30m, 1h");
    }
  }

  private static Duration checked(String option, Duration duration) {
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("--" + option + " must be positive");
    }
    return duration;
  }

  private static int positive(String option, String text) {
    try {
      int value = Integer.parseInt(text.strip());
      if (value > 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // falls through to the message below, which says what is expected
    }
    throw new IllegalArgumentException("--" + option + " must be a whole number above 0, not '" + text + "'");
  }

  private static List<URI> distinct(String option, List<URI> uris) {
    Set<URI> seen = new HashSet<>();
    for (URI uri : uris) {
      if (!seen.add(uri)) {
        // The same server twice would count its gauges twice and skew the spread.
        throw new IllegalArgumentException("--" + option + " names " + uri + " twice");
      }
    }
    return uris;
  }

  private static URI uri(String option, String text) {
    try {
      URI uri = URI.create(text);
      if ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) {
        return uri;
      }
    } catch (IllegalArgumentException e) {
      // falls through to the message below
    }
    throw new IllegalArgumentException("--" + option + " must be an http:// or https:// URL, not '" + text + "'");
  }
}
