package dev.interactions.transport;

import dev.interactions.core.Attachment;
import dev.interactions.core.Census;
import dev.interactions.core.Device;
import dev.interactions.core.Refusal;
import dev.interactions.core.Session;
import dev.interactions.core.SessionDirectory;
import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.ServerMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.BoundedSourceQueue;

/**
 * One client stream (a WebSocket or an SSE response), attached to its {@link Session}. It is the only owner of the
 * stream's outbound side, its liveness and token-expiry clocks ({@link ConnectionDeadlines}) and its rate limit (in
 * {@link ClientMessages}), and all of them end with it.
 *
 * <p>It welcomes the client, attaches to the session (which replays pending interactions), relays session events out,
 * and has {@link ClientMessages} turn client messages into session commands. It leaves when the client goes (close
 * frame, dropped socket, or silence past the liveness timeout on a WebSocket), when the client's token expires, when
 * the client does not read fast enough (its bounded outbound buffer overflows), after repeated abuse, or at server
 * shutdown: it detaches, and is a {@link ClosingConnection} until its stream has ended. The session watches it, so
 * every way of stopping detaches it.
 */
public final class Connection extends AbstractBehavior<Connection.Command> {

  /** Messages a connection understands. */
  public sealed interface Command {}

  /** A complete text message from the client, within the size limit; {@code bytes} is its UTF-8 length. */
  public record Received(String text, long bytes) implements Command {}

  /** A text message over the size limit; its content was discarded while it was read. */
  public record Oversized(long bytes) implements Command {}

  /** A binary message, which the protocol does not use; its content was discarded. */
  public enum BinaryReceived implements Command {
    INSTANCE
  }

  /** The client's side of the stream ended: a close frame, a dropped socket, or a failure. */
  public enum ClientGone implements Command {
    INSTANCE
  }

  /** The client's whole stream has terminated: both directions, including the WebSocket closing handshake. */
  public enum StreamEnded implements Command {
    INSTANCE
  }

  /**
   * The server is shutting down: end the stream, once what the session sent before has been queued for the client (its
   * "closed" frames, when the orchestrator ended its sessions' interactions first).
   */
  public enum ServerShutdown implements Command {
    INSTANCE
  }

  /** The session's frames did not drain within the bound: end the stream anyway. */
  private enum DrainTimedOut implements Command {
    INSTANCE
  }

  /** A receipt (ack or error) for one of this client's answers. */
  private record Deliver(ServerMessage.Receipt message) implements Command {}

  private record FromAttachment(Attachment.Event event) implements Command {}

  /** Time to check whether the client has been silent too long (see {@link ConnectionDeadlines}). */
  enum LivenessCheck implements Command {
    INSTANCE
  }

  /** Time to check whether the client's token has expired (see {@link ConnectionDeadlines}). */
  enum TokenExpiryCheck implements Command {
    INSTANCE
  }

  /** The client's stream runs: its outbound queue exists (see {@link Outbound}). */
  record OutboundStarted(BoundedSourceQueue<ServerMessage> queue) implements Command {}

  /** The client's stream did not start in time: its response was never sent, or its client went first. */
  private enum OutboundNotStarted implements Command {
    INSTANCE
  }

  /** A message did not fit the outbound buffer: the client is not reading fast enough. */
  private enum OutboundOverflowed implements Command {
    INSTANCE
  }

  /** A closing connection's stream did not end within its grace (see {@link ClosingConnection}). */
  enum FlushTimedOut implements Command {
    INSTANCE
  }

  /** Everything a connection needs to know about where it lives. */
  record Context(
      String sessionId,
      Device device,
      Transport transport,
      Outbound outbound,
      Optional<Instant> validUntil,
      SessionDirectory sessions,
      TransportSettings settings,
      Duration askTimeout,
      Duration attachRetryDelay,
      Traffic traffic) {

    /** The connection's id. */
    String connectionId() {
      return device.connectionId();
    }
  }

  /** How long a leaving connection waits for its last frames to be written before it aborts the socket. */
  private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(5);
  /**
   * How long a slow consumer gets to read its backlog and the close frame behind it before its socket is aborted: a
   * client that resumes reading at once still sees them; one that does not would keep the socket open indefinitely.
   */
  private static final Duration SLOW_CONSUMER_GRACE = Duration.ofSeconds(1);
  /**
   * How long the client's stream may take to start once the connection is accepted: Pekko HTTP runs it as soon as the
   * response goes out, so only a response that never goes out (its client gone first) takes longer. As long as a
   * stream that nobody subscribes to waits in Pekko ({@code subscription-timeout}).
   */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(5);
  private static final String START_TIMER = "start";
  private static final String DRAIN_TIMER = "drain";

  static Behavior<Command> create(Context connection) {
    return Behaviors.setup(
        context -> Behaviors.withTimers(timers -> new Connection(context, timers, connection)));
  }

  private final TimerScheduler<Command> timers;
  private final Context connection;
  private final ActorRef<Attachment.Command> attachment;
  private final Census census;
  private final ConnectionDeadlines deadlines;
  private final ClientMessages clientMessages;
  /** Whether a message was refused for want of room; nothing more is queued after that. */
  private boolean overflowed;

  private Connection(ActorContext<Command> context, TimerScheduler<Command> timers, Context connection) {
    super(context);
    this.timers = timers;
    this.connection = connection;
    this.census = Census.get(context.getSystem());
    census.connectionStarted(connection.transport().census());
    timers.startSingleTimer(START_TIMER, OutboundNotStarted.INSTANCE, START_TIMEOUT);
    send(
        new ServerMessage.Welcome(
            1, connection.sessionId(), connection.connectionId(), connection.settings().heartbeat().toMillis()));
    // Attaches, follows the session wherever it moves, and replays what is pending each time (ended by "synced").
    this.attachment =
        context.spawn(
            Attachment.create(
                connection.sessionId(),
                connection.device(),
                connection.sessions(),
                context.messageAdapter(Attachment.Event.class, FromAttachment::new),
                connection.askTimeout(),
                connection.attachRetryDelay()),
            "attachment");
    this.deadlines = new ConnectionDeadlines(timers, connection);
    this.clientMessages =
        new ClientMessages(
            connection,
            deadlines,
            context.messageAdapter(ServerMessage.Receipt.class, Deliver::new),
            this::send,
            context.getLog());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Received.class, received -> stayIf(clientMessages.received(received)))
        .onMessage(Oversized.class, oversized -> stayIf(clientMessages.oversized(oversized)))
        .onMessageEquals(BinaryReceived.INSTANCE, this::onBinary)
        .onMessage(Deliver.class, this::onDeliver)
        .onMessage(FromAttachment.class, from -> onAttachment(from.event()))
        .onMessageEquals(LivenessCheck.INSTANCE, this::onLivenessCheck)
        .onMessageEquals(TokenExpiryCheck.INSTANCE, this::onTokenExpiryCheck)
        .onMessageEquals(OutboundOverflowed.INSTANCE, this::onOutboundOverflowed)
        .onMessageEquals(ClientGone.INSTANCE, this::leave)
        .onMessage(OutboundStarted.class, this::onOutboundStarted)
        .onMessageEquals(OutboundNotStarted.INSTANCE, this::onOutboundNotStarted)
        .onMessageEquals(StreamEnded.INSTANCE, this::onStreamGone)
        .onMessageEquals(ServerShutdown.INSTANCE, this::onServerShutdown)
        .onMessageEquals(DrainTimedOut.INSTANCE, this::leave)
        .onSignal(PostStop.class, signal -> onPostStop())
        .build();
  }

  private Behavior<Command> stayIf(boolean stays) {
    return stays ? this : leave();
  }

  private Behavior<Command> onBinary() {
    clientMessages.binary();
    return this;
  }

  private Behavior<Command> onDeliver(Deliver deliver) {
    send(deliver.message());
    return this;
  }

  private Behavior<Command> onAttachment(Attachment.Event event) {
    if (event instanceof Attachment.Deliver deliver) {
      send(deliver.message());
    } else if (event instanceof Attachment.Attached attached) {
      // The replay came through the attachment before this, so it has been queued already.
      send(new ServerMessage.Synced(attached.pending()));
    } else if (event instanceof Attachment.Lost lost) {
      if (lost.first() || lost.refusal().reason() != Refusal.SHUTTING_DOWN) {
        send(ServerMessage.Error.of(ErrorCode.RATE_LIMITED, lost.refusal().message()));
      }
      // Otherwise its session stopped because the server is shutting down, after its last frames.
      return leave();
    } else if (event == Attachment.Drained.INSTANCE) {
      return leave();
    }
    return this;
  }

  /**
   * The session's last frames and the shutdown travel different paths: the connection ends the stream only once its
   * attachment has handed on everything the session sent before (or the session has gone), within the flush bound.
   */
  private Behavior<Command> onServerShutdown() {
    attachment.tell(Attachment.Drain.INSTANCE);
    timers.startSingleTimer(DRAIN_TIMER, DrainTimedOut.INSTANCE, FLUSH_TIMEOUT);
    return this;
  }

  private Behavior<Command> onLivenessCheck() {
    Optional<Duration> silent = deadlines.silentTooLong();
    if (silent.isPresent()) {
      getContext()
          .getLog()
          .debug("connection {} silent for {} ms, closing", connection.connectionId(), silent.get().toMillis());
      return leave();
    }
    return this;
  }

  /** Once its token expires the client must come back with a fresh one. */
  private Behavior<Command> onTokenExpiryCheck() {
    if (!deadlines.tokenExpired()) {
      return this;
    }
    getContext().getLog().debug("token of connection {} expired, closing", connection.connectionId());
    send(ServerMessage.Error.of(ErrorCode.TOKEN_EXPIRED, "token expired; reconnect with a fresh token"));
    return leave();
  }

  private Behavior<Command> onOutboundStarted(OutboundStarted started) {
    timers.cancel(START_TIMER);
    connection.outbound().started(started.queue());
    return this;
  }

  /** A stream that starts after this is aborted as it starts (see {@link Outbound#abort()}). */
  private Behavior<Command> onOutboundNotStarted() {
    connection.outbound().abort();
    return onStreamGone();
  }

  private Behavior<Command> onStreamGone() {
    // The stream ended on its own: the client went away.
    connection.sessions().tell(connection.sessionId(), new Session.Detach(connection.connectionId()));
    return Behaviors.stopped();
  }

  /**
   * The client does not read: it is detached at once, and its socket closed (a close frame if it still reads it within
   * the grace, an abort otherwise) instead of being buffered for without limit. A warning without a stack trace: it is
   * the client's doing, and counted in the metrics.
   */
  private Behavior<Command> onOutboundOverflowed() {
    getContext()
        .getLog()
        .warn(
            "slow consumer: connection {} of session {} did not read {} queued messages; disconnecting it",
            connection.connectionId(),
            connection.sessionId(),
            connection.settings().outboundBuffer());
    connection.traffic().slowConsumerDisconnected(connection.transport());
    return leave(SLOW_CONSUMER_GRACE);
  }

  private Behavior<Command> leave() {
    return leave(FLUSH_TIMEOUT);
  }

  /** Detaches, then ends the stream, giving what is already queued {@code grace} to be written. */
  private Behavior<Command> leave(Duration grace) {
    getContext().stop(attachment);
    connection.sessions().tell(connection.sessionId(), new Session.Detach(connection.connectionId()));
    return ClosingConnection.create(connection.outbound(), timers, grace, this::onStopped);
  }

  private Behavior<Command> onPostStop() {
    onStopped();
    return this;
  }

  private void onStopped() {
    connection.outbound().end();
    census.connectionStopped(connection.transport().census());
  }

  private void send(ServerMessage message) {
    if (!overflowed && !connection.outbound().offer(message)) {
      overflowed = true;
      getContext().getSelf().tell(OutboundOverflowed.INSTANCE);
    }
  }
}
