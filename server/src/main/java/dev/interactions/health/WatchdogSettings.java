package dev.interactions.health;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code orchestrator.watchdog} section, read once. Every key is documented in the server's {@code reference.conf}.
 * A threshold of 0 is no threshold.
 *
 * @param enabled whether the watchdog runs
 * @param period how often it compares the gauges
 * @param maxPendingInteractions live interaction actors above which the node is degraded
 * @param maxConnections live connection actors above which the node is degraded
 * @param maxSessions live session actors above which the node is degraded
 * @param maxHeapAfterGcBytes heap after GC above which the node is degraded
 */
public record WatchdogSettings(
    boolean enabled,
    Duration period,
    long maxPendingInteractions,
    long maxConnections,
    long maxSessions,
    long maxHeapAfterGcBytes) {

  /** Reads {@code orchestrator.watchdog} from {@code config}; the heap threshold is a fraction of the maximum heap. */
  public static WatchdogSettings from(Config config) {
    Config c = config.getConfig("orchestrator.watchdog");
    Duration period = c.getDuration("period");
    if (period.isZero() || period.isNegative()) {
      throw new IllegalArgumentException("orchestrator.watchdog.period must be positive, was " + period);
    }
    double heapRatio = c.getDouble("max-heap-after-gc-ratio");
    if (heapRatio < 0 || heapRatio > 1) {
      throw new IllegalArgumentException(
          "orchestrator.watchdog.max-heap-after-gc-ratio must be in [0, 1], was " + heapRatio);
    }
    return new WatchdogSettings(
        c.getBoolean("enabled"),
        period,
        nonNegative(c, "max-pending-interactions"),
        nonNegative(c, "max-connections"),
        nonNegative(c, "max-sessions"),
        (long) (heapRatio * Runtime.getRuntime().maxMemory()));
  }

  private static long nonNegative(Config c, String path) {
    long value = c.getLong(path);
    if (value < 0) {
      throw new IllegalArgumentException("orchestrator.watchdog." + path + " must not be negative, was " + value);
    }
    return value;
  }
}
