package dev.interactions.loadtool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PrometheusScrapeTest {

  /**
   * A scrape in the shape Kamon's Prometheus reporter writes: HELP and TYPE lines, a gauge split by a label, a
   * histogram with {@code le="+Inf"}, exponents, escaped label values, a timestamp, and system metrics.
   */
  private static final String SCRAPE =
      """
      # TYPE interactions_sessions_alive gauge
      # HELP interactions_sessions_alive Live session actors
      interactions_sessions_alive 12.0
      # TYPE interactions_connections_alive gauge
      interactions_connections_alive{transport="websocket"} 180.0
      interactions_connections_alive{transport="sse"} 20.0
      # TYPE interactions_pending gauge
      interactions_pending 3.0
      # TYPE interactions_jvm_heap_after_gc_bytes gauge
      interactions_jvm_heap_after_gc_bytes 4.5088768E7
      # TYPE jvm_threads_total gauge
      jvm_threads_total{component="jvm"} 41.0
      # TYPE process_ulimit_file_descriptors_used gauge
      process_ulimit_file_descriptors_used{component="process"} 287.0 1764000000000
      # TYPE interactions_outcome_seconds histogram
      interactions_outcome_seconds_bucket{outcome="answered",le="0.005"} 10.0
      interactions_outcome_seconds_bucket{outcome="answered",le="+Inf"} 12.0
      interactions_outcome_seconds_sum{outcome="answered"} 0.0381
      interactions_outcome_seconds_count{outcome="answered"} 12.0
      odd_labels{path="/v1/\\"quoted\\"\\\\x", empty="" ,note="a\\nb"} NaN
      """;

  @Test
  void readsEveryServerGaugeAndSumsConnectionsOverTransports() throws GaugesUnavailableException {
    ServerGauges gauges =
        MetricsEndpoint.gauges(PrometheusScrape.parse(SCRAPE), GaugeNames.SERVER, URI.create("http://x/metrics"));

    assertEquals(
        new ServerGauges(12, 200, 3, OptionalLong.of(45_088_768), OptionalLong.of(41), OptionalLong.of(287)), gauges);
  }

  @Test
  void parsesLabelsWithEscapesSpacesAndSpecialValues() {
    PrometheusScrape scrape = PrometheusScrape.parse(SCRAPE);

    PrometheusScrape.Sample odd =
        scrape.samples().stream().filter(sample -> sample.name().equals("odd_labels")).findFirst().orElseThrow();
    assertEquals(Map.of("path", "/v1/\"quoted\"\\x", "empty", "", "note", "a\nb"), odd.labels());
    assertTrue(Double.isNaN(odd.value()));
    assertEquals(12.0, scrape.sum("interactions_outcome_seconds_count").orElseThrow());
    assertEquals(22.0, scrape.sum("interactions_outcome_seconds_bucket").orElseThrow());
    assertEquals(12, scrape.samples().size());
  }

  @Test
  void optionalGaugesMayBeAbsentButTheCheckedOnesMayNot() throws GaugesUnavailableException {
    String withoutSystemMetrics =
        "interactions_sessions_alive 0\ninteractions_connections_alive{transport=\"websocket\"} 0\ninteractions_pending 0\n";

    ServerGauges gauges =
        MetricsEndpoint.gauges(
            PrometheusScrape.parse(withoutSystemMetrics), GaugeNames.SERVER, URI.create("http://x/metrics"));

    assertEquals(new ServerGauges(0, 0, 0, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty()), gauges);
    GaugesUnavailableException missing =
        assertThrows(
            GaugesUnavailableException.class,
            () ->
                MetricsEndpoint.gauges(
                    PrometheusScrape.parse("interactions_sessions_alive 0\ninteractions_pending 0\n"),
                    GaugeNames.SERVER,
                    URI.create("http://x/metrics")));
    assertEquals("http://x/metrics has no interactions_connections_alive: the leak check needs it", missing.getMessage());
  }

  @Test
  void refusesTextThatIsNotTheExpositionFormat() {
    IllegalArgumentException html =
        assertThrows(
            IllegalArgumentException.class,
            () -> PrometheusScrape.parse("# fine\n<html><body>Not Found</body></html>\n"));
    assertEquals("line 2 is not a Prometheus sample: <html><body>Not Found</body></html>", html.getMessage());
    assertThrows(IllegalArgumentException.class, () -> PrometheusScrape.parse("unterminated{a=\"b} 1\n"));
    assertThrows(IllegalArgumentException.class, () -> PrometheusScrape.parse("no_value\n"));
  }

  @Test
  void comparesCheckedGaugesWithTheBaselineOnly() {
    ServerGauges baseline = new ServerGauges(1, 0, 0, OptionalLong.of(10), OptionalLong.of(30), OptionalLong.of(100));
    ServerGauges leaking = new ServerGauges(5, 0, 2, OptionalLong.of(99), OptionalLong.of(60), OptionalLong.of(900));
    ServerGauges settled = new ServerGauges(0, 0, 0, OptionalLong.of(99), OptionalLong.of(60), OptionalLong.of(900));

    assertEquals(java.util.List.of("sessions alive 5 > 1", "pending interactions 2 > 0"), leaking.aboveBaseline(baseline));
    assertTrue(settled.aboveBaseline(baseline).isEmpty());
  }
}
