package dev.interactions.transport;

import dev.interactions.core.Device;
import dev.interactions.core.OrchestratorSettings;
import dev.interactions.core.SessionDirectory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.Locale;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The parent of every client {@link Connection} on this node. It enforces the per-node connection bound and, at
 * shutdown, ends every client stream and reports when the last one has stopped.
 */
public final class Connections extends AbstractBehavior<Connections.Command> {

  /** Messages the connection parent understands. */
  public sealed interface Command {}

  /**
   * Opens a connection of {@code transport} to session {@code sessionId}, writing to {@code outbound}; it ends at
   * {@code validUntil}, when the client's token stops being accepted, if it expires.
   */
  public record Open(
      String sessionId,
      Transport transport,
      Outbound outbound,
      Optional<Instant> validUntil,
      Optional<String> subject,
      Set<String> roles,
      Optional<String> userAgent,
      ActorRef<Opened> replyTo)
      implements Command {}

  /** Ends every client stream, then replies; new connections are refused from then on. */
  public record Shutdown(ActorRef<Done> replyTo) implements Command {}

  /** The reply to {@link Open}. */
  public sealed interface Opened permits Accepted, Refused {}

  /** The connection actor is running. */
  public record Accepted(ActorRef<Connection.Command> connection, String connectionId) implements Opened {}

  /** No connection was opened; {@code shuttingDown} tells a node limit from a shutdown. */
  public record Refused(String message, boolean shuttingDown) implements Opened {}

  private enum ConnectionStopped implements Command {
    INSTANCE
  }

  /**
   * @param sessions where connections find their sessions
   * @param settings transport bounds and timings
   * @param core the orchestrator's settings: how long a connection waits for its session to accept it, and how long it
   *     waits before attaching again to a session that is moving or restarting
   * @param traffic where connections report the client messages they receive and the slow consumers they drop
   */
  public static Behavior<Command> create(
      SessionDirectory sessions, TransportSettings settings, OrchestratorSettings core, Traffic traffic) {
    return Behaviors.setup(context -> new Connections(context, sessions, settings, core, traffic));
  }

  private final SessionDirectory sessions;
  private final TransportSettings settings;
  private final OrchestratorSettings core;
  private final Traffic traffic;
  private final List<ActorRef<Done>> shutdownWaiters = new ArrayList<>();
  private int live;
  private boolean shuttingDown;

  private Connections(
      ActorContext<Command> context,
      SessionDirectory sessions,
      TransportSettings settings,
      OrchestratorSettings core,
      Traffic traffic) {
    super(context);
    this.sessions = sessions;
    this.settings = settings;
    this.core = core;
    this.traffic = traffic;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Open.class, this::onOpen)
        .onMessage(Shutdown.class, this::onShutdown)
        .onMessageEquals(ConnectionStopped.INSTANCE, this::onConnectionStopped)
        .build();
  }

  private Behavior<Command> onOpen(Open open) {
    if (shuttingDown) {
      open.replyTo().tell(new Refused("the server is shutting down", true));
    } else if (live >= settings.maxConnections()) {
      open.replyTo().tell(new Refused("this node already holds " + live + " connections, the configured maximum", false));
    } else {
      String connectionId = open.transport().name().toLowerCase(Locale.ROOT) + "-" + UUID.randomUUID();
      ActorRef<Connection.Command> connection =
          getContext()
              .spawn(
                  Connection.create(
                      new Connection.Context(
                          open.sessionId(),
                          Device.connected(
                              connectionId,
                              open.subject().orElse(null),
                              open.roles(),
                              open.transport().name().toLowerCase(Locale.ROOT),
                              open.userAgent().orElse(null)),
                          open.transport(),
                          open.outbound(),
                          open.validUntil(),
                          sessions,
                          settings,
                          core.askTimeout(),
                          core.attachRetryDelay(),
                          traffic)),
                  connectionId);
      getContext().watchWith(connection, ConnectionStopped.INSTANCE);
      live++;
      open.replyTo().tell(new Accepted(connection, connectionId));
    }
    return this;
  }

  private Behavior<Command> onShutdown(Shutdown shutdown) {
    shuttingDown = true;
    shutdownWaiters.add(shutdown.replyTo());
    getContext()
        .getChildren()
        .forEach(child -> child.<Connection.Command>unsafeUpcast().tell(Connection.ServerShutdown.INSTANCE));
    return repliedIfDrained();
  }

  private Behavior<Command> onConnectionStopped() {
    live--;
    return repliedIfDrained();
  }

  private Behavior<Command> repliedIfDrained() {
    if (shuttingDown && live == 0) {
      shutdownWaiters.forEach(waiter -> waiter.tell(Done.getInstance()));
      shutdownWaiters.clear();
    }
    return this;
  }
}
