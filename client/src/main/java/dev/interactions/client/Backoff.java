package dev.interactions.client;

import java.time.Duration;
import java.util.Objects;

/**
 * Exponential backoff with full jitter: before retry number {@code n} (0 for the first) wait a random time below {@code
 * min(max, initial · 2^n)}. Full jitter because clients that failed together (a server restart drops all of them) must
 * not come back together.
 *
 * @param initial the bound of the first delay; positive
 * @param max the largest bound; at least {@code initial}
 */
public record Backoff(Duration initial, Duration max) {

  public Backoff {
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(max, "max");
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("initial must be positive: " + initial);
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("max " + max + " is below initial " + initial);
    }
  }

  /** The bound of delay number {@code attempt} (0 for the first): {@code min(max, initial · 2^attempt)}. */
  public Duration bound(int attempt) {
    if (attempt < 0) {
      throw new IllegalArgumentException("attempt must not be negative: " + attempt);
    }
    long initialNanos = initial.toNanos();
    long maxNanos = max.toNanos();
    // Shifting back and forth instead of multiplying: no overflow however many attempts failed.
    return attempt < Long.SIZE - 1 && initialNanos <= maxNanos >> attempt
        ? Duration.ofNanos(initialNanos << attempt)
        : max;
  }

  /**
   * Delay number {@code attempt}: {@code jitter} (uniform in {@code [0, 1)}, e.g. {@code
   * ThreadLocalRandom.current().nextDouble()}) times its {@link #bound(int) bound}.
   */
  public Duration delay(int attempt, double jitter) {
    if (!(jitter >= 0 && jitter < 1)) {
      throw new IllegalArgumentException("jitter must be in [0, 1): " + jitter);
    }
    return Duration.ofNanos((long) (bound(attempt).toNanos() * jitter));
  }
}
