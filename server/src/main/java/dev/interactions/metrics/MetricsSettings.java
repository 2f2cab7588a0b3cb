package dev.interactions.metrics;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code orchestrator.metrics} section, read once. Every key is documented in the server's {@code reference.conf}.
 *
 * @param enabled whether the server keeps Kamon metrics and serves them at {@code GET /metrics}
 * @param instrumentation whether {@code Main} attaches the Kanela agent for Kamon's Pekko actor metrics
 * @param tickInterval how often Kamon takes a snapshot, which is what a scrape shows
 * @param gaugeInterval how often the gauges read the live actor counts and the heap
 */
public record MetricsSettings(boolean enabled, boolean instrumentation, Duration tickInterval, Duration gaugeInterval) {

  /** Reads {@code orchestrator.metrics} from {@code config}. */
  public static MetricsSettings from(Config config) {
    Config c = config.getConfig("orchestrator.metrics");
    return new MetricsSettings(
        c.getBoolean("enabled"),
        c.getBoolean("instrumentation"),
        positive(c, "tick-interval"),
        positive(c, "gauge-interval"));
  }

  private static Duration positive(Config c, String path) {
    Duration value = c.getDuration(path);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException("orchestrator.metrics." + path + " must be positive, was " + value);
    }
    return value;
  }
}
