package dev.interactions.transport;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The two clocks that end a {@link Connection} by themselves: the silence of a WebSocket client past the liveness
 * timeout, and the expiry of the client's token. Owned by the connection's actor (not thread-safe, and it need not be),
 * which asks it at each check whether it is time to go.
 */
final class ConnectionDeadlines {

  private static final String LIVENESS_TIMER = "liveness";
  private static final String TOKEN_EXPIRY_TIMER = "token-expiry";
  /** Longest single wait for a token's expiry: the scheduler refuses delays of many months, tokens may last longer. */
  private static final Duration MAX_EXPIRY_WAIT = Duration.ofDays(1);

  private final TimerScheduler<Connection.Command> timers;
  private final Duration livenessTimeout;
  private final Optional<Instant> validUntil;
  private long lastInboundNanos = System.nanoTime();

  /** Starts the clocks that apply to {@code connection}: token expiry if its token expires, liveness on a WebSocket. */
  ConnectionDeadlines(TimerScheduler<Connection.Command> timers, Connection.Context connection) {
    this.timers = timers;
    this.livenessTimeout = connection.settings().livenessTimeout();
    this.validUntil = connection.validUntil();
    scheduleTokenExpiryCheck();
    if (connection.transport() == Transport.WEBSOCKET) {
      // Pekko HTTP cannot tell a dead peer from a quiet one; the client's own pings are the only proof of life.
      timers.startTimerWithFixedDelay(LIVENESS_TIMER, Connection.LivenessCheck.INSTANCE, connection.settings().heartbeat());
    }
  }

  /** The client sent something, so it is alive; returns when, by {@link System#nanoTime()}. */
  long heardFromClient() {
    lastInboundNanos = System.nanoTime();
    return lastInboundNanos;
  }

  /** How long the client has been silent, if that is past the liveness timeout. */
  Optional<Duration> silentTooLong() {
    Duration silent = Duration.ofNanos(System.nanoTime() - lastInboundNanos);
    return silent.compareTo(livenessTimeout) > 0 ? Optional.of(silent) : Optional.empty();
  }

  /**
   * Whether the token has expired: it let the client in, not stay forever. If it has not (a check of a long-lived token
   * comes before its expiry), the next check is scheduled.
   */
  boolean tokenExpired() {
    if (Instant.now().isBefore(validUntil.orElseThrow())) {
      scheduleTokenExpiryCheck();
      return false;
    }
    return true;
  }

  private void scheduleTokenExpiryCheck() {
    validUntil.ifPresent(
        expiry -> {
          Duration left = Duration.between(Instant.now(), expiry);
          Duration wait = left.isNegative() ? Duration.ZERO : left.compareTo(MAX_EXPIRY_WAIT) > 0 ? MAX_EXPIRY_WAIT : left;
          timers.startSingleTimer(TOKEN_EXPIRY_TIMER, Connection.TokenExpiryCheck.INSTANCE, wait);
        });
  }
}
