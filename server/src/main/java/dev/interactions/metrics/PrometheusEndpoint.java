package dev.interactions.metrics;

import com.typesafe.config.Config;
import kamon.Kamon;
import kamon.module.Module;
import kamon.prometheus.PrometheusReporter;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /metrics}: the scrape data of a Prometheus reporter of our own, served on the server's port. Kamon's own
 * module would open an embedded HTTP server on another port (on 0.0.0.0 by default), one more thing to secure.
 */
final class PrometheusEndpoint extends AllDirectives {

  private final PrometheusReporter reporter;
  private final Module.Registration registration;

  /** Registers a reporter configured by the {@code kamon.prometheus} section of {@code kamonConfig}. */
  PrometheusEndpoint(Config kamonConfig) {
    this.reporter = new PrometheusReporter(PrometheusReporter.DefaultConfigPath(), kamonConfig);
    this.registration = Kamon.addReporter("interactions-prometheus", reporter);
  }

  /**
   * The route serving the latest scrape data, as plain text (Prometheus's text exposition format). It matches any
   * request: the HTTP API mounts it at {@code GET /metrics}, behind its authorisation.
   */
  Route route() {
    return extractRequest(
        request ->
            complete(
                HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, reporter.scrapeData()))));
  }

  /** Stops reporting; the route keeps serving the last data. */
  void stop() {
    registration.cancel();
  }
}
