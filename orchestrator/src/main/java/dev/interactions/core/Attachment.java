package dev.interactions.core;

import dev.interactions.protocol.ServerMessage;
import java.time.Duration;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The one way a client connection (WebSocket, SSE or in-process) is attached to its {@link Session}, and kept attached.
 *
 * <p>A connection spawns one as its child. It attaches through the {@link SessionDirectory} (by session id, never a
 * cached entity reference), hands the session's frames to its connection, and attaches again by itself whenever the
 * session incarnation it is attached to goes away: the entity moved to another node (rebalance, a node lost), was
 * stopped, or was stopped by a journal failure and restarted by its shard. A connection closing cleanly tells the session {@link
 * Session.Detach} itself; however it stops, this child stops with it. Each (re-)attachment replays what is pending, so the connection
 * ends it with {@code synced} and the client never has to reconnect its socket. The session watches the attachment, so
 * whenever the connection stops (and with it this child), the session learns it lost a connection.
 *
 * <p>The session's frames and its answer to {@link Session.Attach} come to this one actor reference, so the replay always
 * arrives before the answer that ends it, also across nodes.
 */
public final class Attachment {

  /** Messages an attachment understands. */
  public sealed interface Command extends ClusterMessage {}

  /** A frame for the client, from the session. */
  public record Frame(ServerMessage message) implements Command {}

  /** The session took this attachment; it has just sent the {@code pending} interactions it holds. */
  public record Accepted(int pending, ActorRef<Session.Command> session, String node) implements Command {}

  /** The session refused this attachment. */
  public record Refused(RequestRefused refusal) implements Command {}

  /**
   * The connection is about to close at shutdown: it hears {@link Drained} once every frame that reached this attachment
   * before the drain has been handed on. A session the orchestrator closed at shutdown has stopped by then, so its last
   * frames (and the refusal that follows them) are all ahead of the drain.
   */
  public enum Drain implements Command {
    INSTANCE
  }

  private enum SessionGone implements Command {
    INSTANCE
  }

  private enum AttachTimedOut implements Command {
    INSTANCE
  }

  private enum Retry implements Command {
    INSTANCE
  }

  /** What the connection hears from its attachment. */
  public sealed interface Event extends ClusterMessage {}

  /** Every frame that reached the attachment before the {@link Drain} has been handed on. */
  public enum Drained implements Event {
    INSTANCE
  }

  /** A frame to send to the client. */
  public record Deliver(ServerMessage message) implements Event {}

  /**
   * The connection is attached (again, if not {@code first}) and has been delivered every pending interaction: time for
   * {@code synced}. {@code node} is the cluster address of the node hosting the session.
   */
  public record Attached(int pending, String node, boolean first) implements Event {}

  /**
   * The session will not take the connection: over a bound, or shutting down. After this the attachment has stopped. A
   * refusal of a later re-attachment is only reported when it is final (shutting down); others are retried.
   */
  public record Lost(RequestRefused refusal, boolean first) implements Event {}

  private static final String ATTACH_TIMER = "attach";

  /**
   * @param sessionId the session to attach to
   * @param connectionId the connection's id, as the session lists it
   * @param directory where sessions are found
   * @param connection who hears the {@link Event}s
   * @param askTimeout how long one attempt may take before it counts as failed
   * @param retryDelay how long to wait before attaching again after a failed attempt
   */
  public static Behavior<Command> create(
      String sessionId,
      String connectionId,
      SessionDirectory directory,
      ActorRef<Event> connection,
      Duration askTimeout,
      Duration retryDelay) {
    return create(sessionId, Device.inProcess(connectionId), directory, connection, askTimeout, retryDelay);
  }

  /**
   * The attachment of a connection the server opened for {@code device} (its id, the subject of its token, its
   * transport and user agent: what its answers are audited as).
   */
  public static Behavior<Command> create(
      String sessionId,
      Device device,
      SessionDirectory directory,
      ActorRef<Event> connection,
      Duration askTimeout,
      Duration retryDelay) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers ->
                    new Attachment(context, timers, sessionId, device, directory, connection, askTimeout, retryDelay)
                        .attaching(true)));
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final String sessionId;
  private final Device device;
  private final SessionDirectory directory;
  private final ActorRef<Event> connection;
  private final Duration askTimeout;
  private final Duration retryDelay;
  private boolean slowFirstAttachLogged;

  private Attachment(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      String sessionId,
      Device device,
      SessionDirectory directory,
      ActorRef<Event> connection,
      Duration askTimeout,
      Duration retryDelay) {
    this.context = context;
    // Its lines under its own name (Pekko names a timer-driven actor's logger after what is on the stack, ActorCell),
    // which the filter that throttles them needs.
    context.setLoggerName(Attachment.class);
    this.timers = timers;
    this.sessionId = sessionId;
    this.device = device;
    this.directory = directory;
    this.connection = connection;
    this.askTimeout = askTimeout;
    this.retryDelay = retryDelay;
  }

  private Behavior<Command> attaching(boolean first) {
    directory.tell(sessionId, new Session.Attach(device, context.getSelf()));
    timers.startSingleTimer(ATTACH_TIMER, AttachTimedOut.INSTANCE, askTimeout);
    return Behaviors.receive(Command.class)
        .onMessage(Frame.class, this::deliver)
        .onMessage(Accepted.class, accepted -> onAccepted(accepted, first))
        .onMessage(Refused.class, refused -> onRefused(refused.refusal(), first))
        .onMessageEquals(AttachTimedOut.INSTANCE, () -> onTimedOut(first))
        // From an incarnation this attachment has already left: the attempt under way covers it.
        .onMessageEquals(SessionGone.INSTANCE, Behaviors::same)
        .onMessageEquals(Drain.INSTANCE, this::drained)
        .build();
  }

  private Behavior<Command> attached() {
    return Behaviors.receive(Command.class)
        .onMessage(Frame.class, this::deliver)
        .onMessageEquals(Drain.INSTANCE, this::drained)
        .onMessageEquals(SessionGone.INSTANCE, this::onSessionGone)
        // From a session closed because the orchestrator shuts down; other refusals here answer an attempt that had
        // already timed out, as do late acceptances.
        .onMessage(Refused.class, refused -> onRefused(refused.refusal(), false))
        .onMessage(Accepted.class, accepted -> Behaviors.same())
        .build();
  }

  /** A session gone while this node shuts down is not followed: its next incarnation would only be stopped again. */
  private Behavior<Command> onSessionGone() {
    if (CoordinatedShutdown.get(context.getSystem()).getShutdownReason().isPresent()) {
      connection.tell(new Lost(RequestRefused.shuttingDown(), false));
      return Behaviors.stopped();
    }
    return attaching(false);
  }

  private Behavior<Command> drained() {
    connection.tell(Drained.INSTANCE);
    return Behaviors.same();
  }

  private Behavior<Command> deliver(Frame frame) {
    connection.tell(new Deliver(frame.message()));
    return Behaviors.same();
  }

  private Behavior<Command> onAccepted(Accepted accepted, boolean first) {
    timers.cancel(ATTACH_TIMER);
    context.watchWith(accepted.session(), SessionGone.INSTANCE);
    connection.tell(new Attached(accepted.pending(), accepted.node(), first));
    return attached();
  }

  private Behavior<Command> onRefused(RequestRefused refusal, boolean first) {
    if (refusal.reason() != Refusal.SHUTTING_DOWN && !timers.isTimerActive(ATTACH_TIMER)) {
      return Behaviors.same();
    }
    timers.cancel(ATTACH_TIMER);
    if (first || refusal.reason() == Refusal.SHUTTING_DOWN) {
      connection.tell(new Lost(refusal, first));
      return Behaviors.stopped();
    }
    // A session that is restarting or moving refuses for a moment; the connection keeps its client meanwhile.
    return waitToRetry(false);
  }

  /**
   * A session that does not answer is starting, recovering or moving slowly, which is the server's doing, not the
   * client's: the first attachment is retried like a re-attachment, the client kept and {@code synced} sent once the
   * session answers. Logged once per connection, so an operator sees a store or node that keeps sessions from starting.
   */
  private Behavior<Command> onTimedOut(boolean first) {
    if (first && !slowFirstAttachLogged) {
      slowFirstAttachLogged = true;
      context
          .getLog()
          .info(
              "Not attached yet: session {} did not answer connection {} within {} ms; attaching again every {} ms",
              sessionId,
              device.connectionId(),
              askTimeout.toMillis(),
              retryDelay.toMillis());
    }
    return waitToRetry(first);
  }

  private Behavior<Command> waitToRetry(boolean first) {
    timers.startSingleTimer(ATTACH_TIMER, Retry.INSTANCE, retryDelay);
    return Behaviors.receive(Command.class)
        .onMessage(Frame.class, this::deliver)
        .onMessageEquals(Retry.INSTANCE, () -> attaching(first))
        // The attempt that timed out was taken after all, its replay delivered ahead of this: attached, no retry needed.
        .onMessage(Accepted.class, accepted -> onAccepted(accepted, first))
        .onMessageEquals(Drain.INSTANCE, this::drained)
        .onAnyMessage(ignored -> Behaviors.same())
        .build();
  }
}
