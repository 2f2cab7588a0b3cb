package dev.interactions.metrics;

import com.typesafe.config.Config;
import dev.interactions.core.Census;
import dev.interactions.transport.Traffic;
import java.util.Optional;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The server's metrics: the census gauges, the session actors' events, client traffic, and the Prometheus scrape at
 * {@code GET /metrics}. All of it ends with the actor system.
 */
public final class ServerMetrics {

  private final Traffic traffic;
  private final Optional<PrometheusEndpoint> endpoint;

  private ServerMetrics(Traffic traffic, Optional<PrometheusEndpoint> endpoint) {
    this.traffic = traffic;
    this.endpoint = endpoint;
  }

  /**
   * Starts the metrics of the server running in {@code system}, as {@code orchestrator.metrics} in {@code config} says.
   * With metrics off, nothing is recorded and {@link #route()} is empty. With metrics on, it installs the census's
   * {@link Census.Observer} (replacing any other).
   *
   * <p>Kamon itself is started once per JVM, before the actor system, by {@link KamonStartup#start} ({@code Main} does;
   * an embedding application calls it, or {@code Kamon.init} with its own configuration). Without it the scrape stays
   * empty: Kamon takes no snapshots. Kamon is global to the JVM: run one server with metrics per JVM.
   */
  public static ServerMetrics start(ActorSystem<?> system, Config config) {
    MetricsSettings settings = MetricsSettings.from(config);
    if (!settings.enabled()) {
      return new ServerMetrics(Traffic.NONE, Optional.empty());
    }
    Census census = Census.get(system);
    census.observe(new MetricsObserver());
    CensusGauges gauges = new CensusGauges(census);
    ClusterGauges cluster = new ClusterGauges(system, settings.gaugeInterval());
    Cancellable updates =
        system
            .scheduler()
            .scheduleAtFixedRate(
                settings.gaugeInterval(),
                settings.gaugeInterval(),
                () -> {
                  gauges.update();
                  cluster.update();
                },
                system.executionContext());
    PrometheusEndpoint endpoint = new PrometheusEndpoint(KamonStartup.kamonConfig(config));
    system
        .getWhenTerminated()
        .thenRun(
            () -> {
              // The actors are gone: their counts are final. Show them (zero unless something leaked), then stop.
              updates.cancel();
              gauges.update();
              endpoint.stop();
            });
    gauges.update();
    return new ServerMetrics(new KamonTraffic(), Optional.of(endpoint));
  }

  /** Where client streams report their traffic ({@link Traffic#NONE} with metrics off). */
  public Traffic traffic() {
    return traffic;
  }

  /** The Prometheus scrape, to be mounted at {@code GET /metrics} (see {@code HttpApi#metrics}); empty with metrics off. */
  public Optional<Route> route() {
    return endpoint.map(PrometheusEndpoint::route);
  }
}
