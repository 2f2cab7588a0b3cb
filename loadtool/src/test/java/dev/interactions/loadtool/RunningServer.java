package dev.interactions.loadtool;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.interactions.api.Orchestrator;
import dev.interactions.metrics.KamonStartup;
import dev.interactions.core.Census;
import dev.interactions.core.Refusal;
import dev.interactions.protocol.OutcomeCode;
import dev.interactions.server.Server;
import java.net.URI;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/** A real server (the standalone one, started in-process) on an ephemeral loopback port. */
final class RunningServer implements AutoCloseable {

  private final Orchestrator orchestrator;
  private final Server server;
  private final LongAdder interactionsClosed = new LongAdder();

  private RunningServer(Orchestrator orchestrator, Server server) {
    this.orchestrator = orchestrator;
    this.server = server;
    // Counts what this server decided, passing every event on to the observer the server installed (its metrics).
    Census census = Census.get(orchestrator.system());
    Census.Observer metrics = census.observer();
    census.observe(
        new Census.Observer() {
          @Override
          public void interactionClosed(OutcomeCode outcome, Duration sinceRequested) {
            interactionsClosed.increment();
            metrics.interactionClosed(outcome, sinceRequested);
          }

          @Override
          public void refused(Refusal reason) {
            metrics.refused(reason);
          }

          @Override
          public void journalWritten(Duration latency) {
            metrics.journalWritten(latency);
          }

          @Override
          public void sessionRecovered(Duration duration) {
            metrics.sessionRecovered(duration);
          }
        });
  }

  /** Starts a server with {@code overrides} (HOCON) over the defaults, on a free port. */
  static RunningServer start(String overrides) throws Exception {
    // Sessions in memory: the load runs leave no database behind. Metrics snapshots every second, as the tool reads them.
    Config config =
        ConfigFactory.load(
            ConfigFactory.parseString(overrides)
                .withFallback(
                    ConfigFactory.parseString(
                        "orchestrator.http.port = 0\n"
                            + "orchestrator.cluster.port = 0\n"
                            + "orchestrator.persistence.store = memory\n"
                            + "orchestrator.metrics.tick-interval = 1s")));
    KamonStartup.start(config);
    Orchestrator orchestrator = Orchestrator.start(config);
    try {
      return new RunningServer(orchestrator, Server.start(orchestrator, config).toCompletableFuture().get(60, TimeUnit.SECONDS));
    } catch (Exception e) {
      orchestrator.close();
      throw e;
    }
  }

  String url() {
    return "http://127.0.0.1:" + server.address().getPort();
  }

  /**
   * The server's live actors as its {@link Census} counts them: the figures its {@code /metrics} gauges export, read
   * in-process. Lets the load be checked against the real actor tree before the scrape exists.
   */
  GaugeSource census() {
    Census census = Census.get(orchestrator.system());
    return () ->
        new ServerGauges(
            census.sessions(),
            census.connections(),
            census.interactions(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty());
  }

  /** Interactions this server closed, whatever their outcome, since it started. */
  long interactionsClosed() {
    return interactionsClosed.sum();
  }

  /** The run's view of this one server's gauges: its {@link #census()}. */
  ClusterGaugeSource gauges() {
    return ClusterGaugeSource.of(URI.create(url()), census());
  }

  @Override
  public void close() {
    orchestrator.close();
  }
}
