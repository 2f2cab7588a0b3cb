package dev.interactions.transport;

/** A token bucket owned by one connection actor (not thread-safe, and it need not be). */
final class RateLimit {

  private final double tokensPerNano;
  private final double capacity;
  private double tokens;
  private long lastRefillNanos;

  RateLimit(int perSecond, int burst) {
    this.tokensPerNano = perSecond / 1_000_000_000.0;
    this.capacity = Math.max(1, burst);
    this.tokens = capacity;
    this.lastRefillNanos = System.nanoTime();
  }

  /** Takes one token if there is one. */
  boolean tryAcquire(long nowNanos) {
    tokens = Math.min(capacity, tokens + (nowNanos - lastRefillNanos) * tokensPerNano);
    lastRefillNanos = nowNanos;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
