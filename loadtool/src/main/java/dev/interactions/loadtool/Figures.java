package dev.interactions.loadtool;

import java.time.Duration;
import java.util.Locale;

/** How the tool writes numbers for people: fixed decimals, units spelled out, the same in the progress and the report. */
final class Figures {

  private Figures() {}

  static String count(long count) {
    return Long.toString(count);
  }

  static String mebibytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }

  static String millis(double millis) {
    return String.format(Locale.ROOT, "%.1f ms", millis);
  }

  static String rate(double perSecond) {
    return String.format(Locale.ROOT, "%.1f", perSecond);
  }

  static String duration(Duration duration) {
    return seconds(duration.toMillis() / 1000.0);
  }

  static String seconds(double seconds) {
    return String.format(Locale.ROOT, "%.1f s", seconds);
  }
}
