package dev.interactions.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));

  @Test
  void theBoundDoublesFromTheInitialDelayUpToTheMaximum() {
    assertEquals(Duration.ofMillis(100), backoff.bound(0));
    assertEquals(Duration.ofMillis(200), backoff.bound(1));
    assertEquals(Duration.ofMillis(1600), backoff.bound(4));
    assertEquals(Duration.ofSeconds(2), backoff.bound(5));
    assertEquals(Duration.ofSeconds(2), backoff.bound(10_000), "no overflow however many attempts failed");
  }

  @Test
  void aDelayIsTheJitterTimesItsBoundSoAlwaysBelowIt() {
    assertEquals(Duration.ZERO, backoff.delay(3, 0));
    assertEquals(Duration.ofMillis(400), backoff.delay(3, 0.5));
    for (int attempt = 0; attempt < 64; attempt++) {
      Duration delay = backoff.delay(attempt, ThreadLocalRandom.current().nextDouble());
      assertTrue(!delay.isNegative() && delay.compareTo(backoff.bound(attempt)) < 0, attempt + ": " + delay);
    }
  }

  @Test
  void nonsenseIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> backoff.delay(0, 1.0));
    assertThrows(IllegalArgumentException.class, () -> backoff.bound(-1));
  }
}
