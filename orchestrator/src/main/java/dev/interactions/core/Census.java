package dev.interactions.core;

import dev.interactions.protocol.OutcomeCode;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * How many session, connection and interaction actors are alive in one actor system right now.
 *
 * <p>Each actor counts itself in when it starts and out in {@code PostStop}, so the figures are the live actor tree, not a
 * list kept beside it. Leak tests assert they return to zero; the metrics module exports them as gauges.
 *
 * <p>Events that are not counts of live actors (outcomes, refusals, journal latency, recovery time) are passed to one
 * {@link Observer}, which a host installs to turn them into metrics; the core itself depends on no metrics library.
 */
public final class Census implements Extension {

  /**
   * Receives what the actors report besides their own lifetimes. Called on actor threads: implementations must be quick,
   * thread-safe, and must never tag by session, connection or interaction id (that would grow series without bound).
   */
  public interface Observer {
    /** An interaction closed with {@code outcome}, {@code sinceRequested} after it was requested. */
    default void interactionClosed(OutcomeCode outcome, Duration sinceRequested) {}

    /** A request or an attachment was refused for {@code reason}. */
    default void refused(Refusal reason) {}

    /** An answer was refused because it does not fit its interaction's answer schema. */
    default void answerRefused() {}

    /**
     * An interaction of {@code kind} (a standard kind's name, or {@code other}: requesters name their own kinds, and
     * a metric must not grow a series per name) was first shown {@code sinceRequested} after its request.
     */
    default void shown(String kind, Duration sinceRequested) {}

    /** An interaction of {@code kind} (as for {@link #shown}) was answered or rejected {@code sinceRequested} after its request. */
    default void responded(String kind, Duration sinceRequested) {}

    /** The journal confirmed a session's write {@code latency} after it was issued. */
    default void journalWritten(Duration latency) {}

    /** A session finished recovering its state from the journal, taking {@code duration}. */
    default void sessionRecovered(Duration duration) {}
  }

  /** How a connection reaches its client: a small fixed set, so that it can tag metrics. */
  public enum Transport {
    /** A WebSocket of the server. */
    WEBSOCKET,
    /** A Server-Sent Events stream of the server. */
    SSE,
    /** An in-process client of the Java API. */
    IN_PROCESS
  }

  private static final Observer NONE = new Observer() {};

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
  private final AtomicLongArray connectionsByTransport = new AtomicLongArray(Transport.values().length);
  private volatile Observer observer = NONE;

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

  /** Live connection actors of {@code transport}. */
  public long connections(Transport transport) {
    return connectionsByTransport.get(transport.ordinal());
  }

  /** Live interaction actors (pending, or closed and about to stop). */
  public long interactions() {
    return interactions.get();
  }

  /** Installs the observer that receives every event from now on, replacing the previous one. */
  public void observe(Observer observer) {
    this.observer = observer == null ? NONE : observer;
  }

  /** Where actors report events; never null. */
  public Observer observer() {
    return observer;
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

  /**
   * Called by a connection actor when it starts, when its transport is none of {@link Transport}: it is counted in
   * {@link #connections()} only.
   */
  public void connectionStarted() {
    connections.incrementAndGet();
  }

  /** Called in {@code PostStop} by a connection actor that was counted in with {@link #connectionStarted()}. */
  public void connectionStopped() {
    connections.decrementAndGet();
  }

  /** Called by a connection actor of {@code transport} when it starts. */
  public void connectionStarted(Transport transport) {
    connections.incrementAndGet();
    connectionsByTransport.incrementAndGet(transport.ordinal());
  }

  /** Called by a connection actor of {@code transport} in its {@code PostStop}. */
  public void connectionStopped(Transport transport) {
    connections.decrementAndGet();
    connectionsByTransport.decrementAndGet(transport.ordinal());
  }
}
