package dev.interactions.loadtool;

import org.HdrHistogram.Histogram;

/**
 * Percentiles of request-to-outcome latency, in milliseconds.
 *
 * @param count how many latencies were recorded
 */
public record LatencySummary(long count, double p50Millis, double p95Millis, double p99Millis, double maxMillis) {

  /** The summary of {@code micros}, a histogram of latencies in microseconds; all zero when it is empty. */
  public static LatencySummary of(Histogram micros) {
    if (micros.getTotalCount() == 0) {
      return new LatencySummary(0, 0, 0, 0, 0);
    }
    return new LatencySummary(
        micros.getTotalCount(),
        millis(micros.getValueAtPercentile(50)),
        millis(micros.getValueAtPercentile(95)),
        millis(micros.getValueAtPercentile(99)),
        millis(micros.getMaxValue()));
  }

  private static double millis(long micros) {
    return micros / 1000.0;
  }
}
