package dev.interactions.loadtool;

/** Where the server's gauges come from: its Prometheus scrape in real runs ({@link MetricsEndpoint}). */
public interface GaugeSource {

  /**
   * The server's gauges now.
   *
   * @throws GaugesUnavailableException when they cannot be read; the tool cannot check for leaks without them
   */
  ServerGauges read() throws GaugesUnavailableException;
}
