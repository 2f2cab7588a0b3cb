package dev.interactions.transport;

import java.time.Duration;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The last behavior of a {@link Connection}, once it has detached from its session: it ends the outbound stream and
 * waits until the whole stream has terminated (what was already sent is written: a final error, "closed" frames at
 * shutdown, then the close handshake) before it stops, so that a shutdown waiting for connections to stop does not cut
 * sockets mid-write. A stream that cannot finish within the grace has a client that does not read: its socket is
 * aborted, which would otherwise stay open until Pekko's idle timeout.
 */
final class ClosingConnection {

  private static final String FLUSH_TIMER = "flush";

  private ClosingConnection() {}

  /**
   * @param outbound the stream to end
   * @param timers the connection's timers; its other timers are cancelled, nothing is checked any more
   * @param grace how long the stream may take to terminate before its socket is aborted
   * @param onStop what the connection does when it stops, however it stops
   */
  static Behavior<Connection.Command> create(
      Outbound outbound, TimerScheduler<Connection.Command> timers, Duration grace, Runnable onStop) {
    outbound.end();
    timers.cancelAll();
    timers.startSingleTimer(FLUSH_TIMER, Connection.FlushTimedOut.INSTANCE, grace);
    return Behaviors.receive(Connection.Command.class)
        .onMessageEquals(Connection.StreamEnded.INSTANCE, Behaviors::stopped)
        .onMessageEquals(Connection.FlushTimedOut.INSTANCE, () -> abort(outbound))
        // A stream that starts only now gets what was sent before, then its end.
        .onMessage(
            Connection.OutboundStarted.class,
            started -> {
              outbound.started(started.queue());
              return Behaviors.same();
            })
        .onMessage(Connection.Command.class, ignored -> Behaviors.same())
        .onSignal(
            PostStop.class,
            signal -> {
              onStop.run();
              return Behaviors.same();
            })
        .build();
  }

  private static Behavior<Connection.Command> abort(Outbound outbound) {
    outbound.abort();
    return Behaviors.stopped();
  }
}
