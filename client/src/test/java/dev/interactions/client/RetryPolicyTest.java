package dev.interactions.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private final RetryPolicy policy =
      new RetryPolicy(3, Duration.ofSeconds(10), new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1)));

  @Test
  void retriesWithTheBackoffsDelayUntilTheAttemptsAreSpent() {
    assertEquals(Optional.of(Duration.ofMillis(50)), policy.delayBeforeNextAttempt(1, Duration.ZERO, Optional.empty(), 0.5));
    assertEquals(Optional.of(Duration.ofMillis(100)), policy.delayBeforeNextAttempt(2, Duration.ZERO, Optional.empty(), 0.5));
    assertEquals(Optional.empty(), policy.delayBeforeNextAttempt(3, Duration.ZERO, Optional.empty(), 0.5));
    assertEquals(Optional.empty(), RetryPolicy.none().delayBeforeNextAttempt(1, Duration.ZERO, Optional.empty(), 0));
  }

  @Test
  void noAttemptStartsAfterTheElapsedBound() {
    assertEquals(
        Optional.of(Duration.ofMillis(50)), policy.delayBeforeNextAttempt(1, Duration.ofMillis(9_950), Optional.empty(), 0.5));
    assertEquals(Optional.empty(), policy.delayBeforeNextAttempt(1, Duration.ofMillis(9_951), Optional.empty(), 0.5));
  }

  @Test
  void withinATimeBoundAnyNumberOfAttemptsIsMadeAndNoneStartsAfterIt() {
    RetryPolicy minute = RetryPolicy.within(Duration.ofMinutes(1));

    assertEquals(Optional.of(Duration.ofMillis(2_500)), minute.delayBeforeNextAttempt(1_000, Duration.ofSeconds(50), Optional.empty(), 0.5));
    assertEquals(Optional.empty(), minute.delayBeforeNextAttempt(1_000, Duration.ofMillis(57_501), Optional.empty(), 0.5));
    assertEquals(Optional.empty(), RetryPolicy.within(Duration.ZERO).delayBeforeNextAttempt(1, Duration.ZERO, Optional.empty(), 0.5));
    assertEquals(RetryPolicy.within(Duration.ofSeconds(30)), RetryPolicy.defaults());
  }

  @Test
  void retryAfterIsWaitedWhenLongerThanTheBackoffAndCountsAgainstTheElapsedBound() {
    assertEquals(Optional.of(Duration.ofSeconds(3)), policy.delayBeforeNextAttempt(1, Duration.ZERO, Optional.of(Duration.ofSeconds(3)), 0.5));
    assertEquals(Optional.of(Duration.ofMillis(50)), policy.delayBeforeNextAttempt(1, Duration.ZERO, Optional.of(Duration.ZERO), 0.5));
    assertEquals(Optional.empty(), policy.delayBeforeNextAttempt(1, Duration.ofSeconds(8), Optional.of(Duration.ofSeconds(3)), 0.5));
  }

  @Test
  void connectionFailuresAnd503AreRetriedButNotASlowResponseNorAnotherStatus() {
    assertTrue(RetryPolicy.isRetryable(new ConnectException("refused")));
    assertTrue(RetryPolicy.isRetryable(new HttpConnectTimeoutException("connect timed out")));
    assertTrue(RetryPolicy.isRetryable(new EOFException("closed before the response")));
    assertTrue(RetryPolicy.isRetryable(new IOException("Connection reset")));
    assertFalse(RetryPolicy.isRetryable(new HttpTimeoutException("request timed out")));
    assertFalse(RetryPolicy.isRetryable(new IllegalStateException("a bug")));
    assertTrue(RetryPolicy.isRetryable(503));
    assertFalse(RetryPolicy.isRetryable(429));
    assertFalse(RetryPolicy.isRetryable(500));
  }

  @Test
  void retryAfterIsReadAsSecondsOrAsAnHttpDate() {
    Instant now = Instant.parse("2026-11-24T10:00:00Z");
    assertEquals(Optional.of(Duration.ofSeconds(7)), RetryAfter.parse(Optional.of(" 7 "), now));
    assertEquals(Optional.of(Duration.ofSeconds(90)), RetryAfter.parse(Optional.of("Tue, 24 Nov 2026 10:01:30 GMT"), now));
    assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse(Optional.of("Tue, 24 Nov 2026 09:00:00 GMT"), now));
    assertEquals(Optional.empty(), RetryAfter.parse(Optional.of("soon"), now));
    assertEquals(Optional.empty(), RetryAfter.parse(Optional.empty(), now));
  }
}
