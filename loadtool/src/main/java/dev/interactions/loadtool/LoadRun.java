package dev.interactions.loadtool;

import dev.interactions.client.InteractionsClient;
import dev.interactions.client.RetryPolicy;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * One run of the tool: read the baseline, connect the clients, request interactions for the duration, let the last
 * ones finish, close the clients, wait for the server to settle, and report.
 */
public final class LoadRun {

  /** The server's default for {@code orchestrator.session.max-connections}; more clients per session are refused. */
  private static final int SERVER_CONNECTIONS_PER_SESSION = 16;

  private static final Duration SETTLE_POLL = Duration.ofSeconds(1);

  /**
   * How long requesters may take to finish their last interaction after the load stops: the longest an interaction is
   * waited for, plus the slack of its last HTTP response.
   */
  private static final Duration DRAIN =
      Requester.PATIENT_TIMEOUT.plus(Requester.HANG_MARGIN).plus(Requester.RESPONSE_SLACK).plusSeconds(10);

  private static final Duration STOP_AFTER_INTERRUPT = Duration.ofSeconds(10);

  private final LoadOptions options;
  private final ClusterGaugeSource gauges;
  private final HttpClient http;
  private final PrintStream out;

  /**
   * @param gauges where the servers' gauges come from (each one's {@link MetricsEndpoint} in real runs), for the
   *     servers of {@code options} in the same order
   * @param http the client for the requesters' HTTP calls
   * @param out where the progress goes
   */
  public LoadRun(LoadOptions options, ClusterGaugeSource gauges, HttpClient http, PrintStream out) {
    this.options = options;
    this.gauges = gauges;
    this.http = http;
    this.out = out;
  }

  /**
   * Runs the load and returns its report.
   *
   * @throws GaugesUnavailableException if the baseline cannot be read within {@code --metrics-wait}: without it leaks
   *     cannot be checked
   */
  public LoadReport run() throws GaugesUnavailableException, InterruptedException {
    ClusterGauges baseline = Settling.awaitFirstReading(gauges, options.metricsWait(), SETTLE_POLL, out);
    out.println((options.urls().size() == 1 ? "server" : "servers") + " before the load: " + baseline.summary());
    if (Math.ceil((double) options.clients() / options.sessions()) > SERVER_CONNECTIONS_PER_SESSION) {
      out.println(
          "warning: more than " + SERVER_CONNECTIONS_PER_SESSION + " clients per session; a server with the default "
              + "orchestrator.session.max-connections refuses the extra ones");
    }
    String runId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    Tally tally = new Tally();
    ClientFleet fleet = new ClientFleet(options, runId, tally);
    out.printf(
        "run %s: connecting %d clients to %d sessions%s%n",
        runId,
        options.clients(),
        options.sessions(),
        options.urls().size() == 1 ? "" : " through " + options.urls().size() + " servers");
    fleet.start();
    out.printf(
        "%d clients connected; %d requesters for %s%n",
        tally.clientsConnected(), options.requesters(), Figures.duration(options.duration()));

    long started = System.nanoTime();
    ScheduledExecutorService progressTimer =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "load-progress");
              thread.setDaemon(true);
              return thread;
            });
    long every = options.progressEvery().toMillis();
    progressTimer.scheduleAtFixedRate(new Progress(tally, gauges, out, started), every, every, TimeUnit.MILLISECONDS);

    AtomicBoolean stopping = new AtomicBoolean();
    Map<URI, InteractionsClient> servers = requesterClients();
    try {
      List<Thread> requesters = new ArrayList<>();
      for (int i = 0; i < options.requesters(); i++) {
        Thread thread =
            new Thread(
                new Requester(i, servers.get(options.requesterUrl(i)), options, runId, tally, stopping::get),
                "requester-" + i);
        thread.setDaemon(true);
        thread.start();
        requesters.add(thread);
      }
      Thread.sleep(options.duration().toMillis());
      stopping.set(true);
      out.printf(
          "load stopped; %d interactions still in flight get up to %s to end%n",
          tally.inFlight(), Figures.duration(DRAIN));
      joinAll(requesters, DRAIN);
      requesters.forEach(Thread::interrupt);
      joinAll(requesters, STOP_AFTER_INTERRUPT);
      if (tally.inFlight() > 0) {
        // Threads that ignored the interrupt never reported their interaction: they are hung, and must be counted.
        for (long i = tally.inFlight(); i > 0; i--) {
          tally.hung("requester did not stop");
        }
      }
    } finally {
      servers.values().forEach(InteractionsClient::close); // a call still in flight is abandoned
    }
    double loadSeconds = (System.nanoTime() - started) / 1e9;
    progressTimer.shutdownNow();

    out.println("closing the clients");
    fleet.stop();
    out.printf(
        "settling: waiting up to %s for the server to return to its baseline%n", Figures.duration(options.settle()));
    Settling.Result settled = Settling.awaitBaseline(gauges, baseline, options.settle(), SETTLE_POLL);
    return report(tally, baseline, loadSeconds, settled);
  }

  /**
   * The requesters' clients, one per server, on the run's HTTP client: without retries, so that a refused or failed
   * call is counted rather than retried away, and with the response slack the hang check allows.
   */
  private Map<URI, InteractionsClient> requesterClients() {
    String token = options.requesterToken().orElse(null);
    Map<URI, InteractionsClient> clients = new LinkedHashMap<>();
    for (URI server : options.urls()) {
      clients.put(
          server,
          InteractionsClient.builder(server)
              .httpClient(http)
              .retry(RetryPolicy.none())
              .responseTimeout(Requester.RESPONSE_SLACK)
              .token(() -> token)
              .build());
    }
    return clients;
  }

  private LoadReport report(Tally tally, ClusterGauges baseline, double loadSeconds, Settling.Result settled) {
    LatencySummary latency = LatencySummary.of(tally.allRoundTrips());
    Map<String, Long> hung = tally.hungByReason();
    List<String> failures = new ArrayList<>();
    long hungCount = hung.values().stream().mapToLong(Long::longValue).sum();
    if (hungCount > 0) {
      failures.add(hungCount + " interaction(s) never completed: no outcome and no definite error");
    }
    if (tally.ended() == 0) {
      failures.add("no interaction ended with an outcome (see the errors)");
    }
    if (settled.last().isEmpty()) {
      failures.add("the server's gauges could not be read after the load: " + settled.unreadable().orElse("?"));
    } else if (!settled.aboveBaseline().isEmpty()) {
      failures.add(
          "the server did not return to its baseline within "
              + Figures.duration(options.settle())
              + ": "
              + String.join(", ", settled.aboveBaseline())
              + (settled.aboveBaseline().stream().anyMatch(above -> above.contains("sessions alive"))
                  ? " (a session stays alive for orchestrator.session.closed-retention, 10 min by default, after its"
                      + " last interaction closed: run the server with a short retention, e.g."
                      + " -Dorchestrator.session.closed-retention=5s, and settle for longer than it)"
                  : ""));
    }
    return new LoadReport(
        options.urls().stream().map(URI::toString).collect(Collectors.joining(",")),
        options.clients(),
        options.sessions(),
        options.requesters(),
        options.mix().toString(),
        options.duration().toMillis() / 1000.0,
        loadSeconds,
        latency.count(),
        LoadReport.perSecond(latency.count(), loadSeconds),
        tally.ended(),
        LoadReport.perSecond(tally.ended(), loadSeconds),
        latency,
        tally.outcomes(),
        tally.unplanned(),
        tally.errors(),
        hung,
        tally.clientCounts(),
        baseline.total(),
        settled.last().map(ClusterGauges::total),
        settled.seconds(),
        nodes(baseline, settled.last()),
        failures);
  }

  private List<LoadReport.NodeReport> nodes(ClusterGauges baseline, Optional<ClusterGauges> end) {
    List<LoadReport.NodeReport> nodes = new ArrayList<>();
    for (int node = 0; node < options.urls().size(); node++) {
      URI url = options.urls().get(node);
      int index = node;
      nodes.add(
          new LoadReport.NodeReport(
              url.toString(),
              (int) IntStream.range(0, options.clients()).filter(slot -> options.clientUrl(slot).equals(url)).count(),
              (int) IntStream.range(0, options.requesters()).filter(number -> options.requesterUrl(number).equals(url)).count(),
              baseline.nodes().get(index).gauges(),
              end.map(gauges -> gauges.nodes().get(index).gauges())));
    }
    return nodes;
  }

  private static void joinAll(List<Thread> threads, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    for (Thread thread : threads) {
      thread.join(Math.max(1, Duration.ofNanos(deadline - System.nanoTime()).toMillis()));
    }
  }
}
