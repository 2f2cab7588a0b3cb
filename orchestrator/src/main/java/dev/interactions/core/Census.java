package dev.interactions.core;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * How many session, connection and interaction actors are alive in one actor system right now.
 *
 * <p>Each actor counts itself in when it starts and out in {@code PostStop}, so the figures are the live actor tree, not a
 * list kept beside it. Leak tests assert they return to zero; the metrics module exports them as gauges.
 */
public final class Census implements Extension {

  private static final ExtensionId<Census> ID =
      new ExtensionId<>() {
        @Override
        public Census createExtension(ActorSystem<?> system) {
          return new Census();
        }
      };

  private final AtomicLong sessions = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private final AtomicLong interactions = new AtomicLong();

  private Census() {}

  /** The census of {@code system}. */
  public static Census get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  /** Live session actors. */
  public long sessions() {
    return sessions.get();
  }

  /** Live connection actors, of every transport. */
  public long connections() {
    return connections.get();
  }

  /** Live interaction actors (pending, or closed and about to stop). */
  public long interactions() {
    return interactions.get();
  }

  void sessionStarted() {
    sessions.incrementAndGet();
  }

  void sessionStopped() {
    sessions.decrementAndGet();
  }

  void interactionStarted() {
    interactions.incrementAndGet();
  }

  void interactionStopped() {
    interactions.decrementAndGet();
  }

  /** Called by a connection actor of any transport when it starts. */
  public void connectionStarted() {
    connections.incrementAndGet();
  }

  /** Called by a connection actor of any transport in its {@code PostStop}. */
  public void connectionStopped() {
    connections.decrementAndGet();
  }
}
