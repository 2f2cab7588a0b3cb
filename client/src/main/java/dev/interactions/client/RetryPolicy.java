package dev.interactions.client;

import java.io.IOException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * When a requester call is tried again: after a failure to reach the server (refused, reset, closed before a response,
 * a connect timeout) or a {@code 503} ({@code unavailable}, {@code shutting_down}), at most {@code maxAttempts} times in
 * all, and only while the next attempt would start within {@code maxElapsed} of the first failure. Between attempts it
 * waits as {@code backoff} says, or as long as the server's {@code Retry-After} asks if that is longer.
 *
 * <p>The time counts from the first failure, not from the first attempt, because a long poll spends up to a minute
 * waiting on a server that is there: a connection reset by a restarting node, or cut by a proxy, that late into a poll
 * has used none of the time allowed for reaching the server again.
 *
 * <p>Every requester call is safe to repeat: reads and cancels by nature, creates because each carries an idempotency
 * key that all its attempts share. A response that did not come within its timeout is not retried: the server is up but
 * slow, and asking again would only add load.
 *
 * @param maxAttempts attempts in all, the first included; at least 1
 * @param maxElapsed no attempt starts later than this after the first failure
 * @param backoff the delays between attempts
 */
public record RetryPolicy(int maxAttempts, Duration maxElapsed, Backoff backoff) {

  public RetryPolicy {
    Objects.requireNonNull(maxElapsed, "maxElapsed");
    Objects.requireNonNull(backoff, "backoff");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
    }
    if (maxElapsed.isNegative()) {
      throw new IllegalArgumentException("maxElapsed must not be negative: " + maxElapsed);
    }
  }

  private static final Backoff DEFAULT_BACKOFF = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5));

  /**
   * As many attempts as start within 30 s of the first failure, delays bounded by 200 ms doubling up to 5 s: long
   * enough for a server that restarts.
   */
  public static RetryPolicy defaults() {
    return within(Duration.ofSeconds(30));
  }

  /**
   * As many attempts as start within {@code maxElapsed} of the first failure (none after it with {@link Duration#ZERO}),
   * with the default delays.
   */
  public static RetryPolicy within(Duration maxElapsed) {
    return new RetryPolicy(Integer.MAX_VALUE, maxElapsed, DEFAULT_BACKOFF);
  }

  /** One attempt, no retry. */
  public static RetryPolicy none() {
    return new RetryPolicy(1, Duration.ZERO, defaults().backoff());
  }

  /**
   * How long to wait before the next attempt, or empty to give up.
   *
   * @param attemptsMade attempts made so far (1 after the first)
   * @param elapsed time since the first attempt failed
   * @param retryAfter what the server's {@code Retry-After} asked for, if it sent one
   * @param jitter uniform in {@code [0, 1)}
   */
  Optional<Duration> delayBeforeNextAttempt(
      int attemptsMade, Duration elapsed, Optional<Duration> retryAfter, double jitter) {
    if (attemptsMade >= maxAttempts) {
      return Optional.empty();
    }
    Duration delay = backoff.delay(attemptsMade - 1, jitter);
    if (retryAfter.isPresent() && retryAfter.get().compareTo(delay) > 0) {
      delay = retryAfter.get();
    }
    return elapsed.plus(delay).compareTo(maxElapsed) > 0 ? Optional.empty() : Optional.of(delay);
  }

  /** Whether a call that failed with {@code failure} (not a response) may be tried again. */
  static boolean isRetryable(Throwable failure) {
    if (failure instanceof HttpTimeoutException) {
      return failure instanceof HttpConnectTimeoutException;
    }
    return failure instanceof IOException;
  }

  /** Whether a call answered with {@code status} may be tried again. */
  static boolean isRetryable(int status) {
    return status == 503;
  }
}
