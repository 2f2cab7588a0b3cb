package dev.interactions.transport;

import dev.interactions.core.Attachment;
import dev.interactions.core.Census;
import dev.interactions.core.InteractionOutcome;
import dev.interactions.core.Refusal;
import dev.interactions.core.Session;
import dev.interactions.core.SessionDirectory;
import dev.interactions.protocol.ClientMessage;
import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.InvalidInputException;
import dev.interactions.protocol.ServerMessage;
import dev.interactions.protocol.WireCodec;
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

/**
 * One client stream (a WebSocket or an SSE response), attached to its {@link Session}. It is the only owner of the
 * stream's outbound side, its liveness timer and its rate limit, and all of them end with it.
 *
 * <p>It welcomes the client, attaches to the session (which replays pending interactions), relays session events out,
 * and turns client messages into session commands. It stops when the client goes (close frame, dropped socket, or
 * silence past the liveness timeout on a WebSocket), when the client does not read fast enough (its bounded outbound
 * buffer overflows), after repeated abuse, or at server shutdown. The session watches it, so every way of stopping
 * detaches it.
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

  /** The server is shutting down: end the stream. */
  public enum ServerShutdown implements Command {
    INSTANCE
  }

  /** A receipt (ack or error) for one of this client's answers. */
  private record Deliver(ServerMessage message) implements Command {}

  private record FromAttachment(Attachment.Event event) implements Command {}

  private enum LivenessCheck implements Command {
    INSTANCE
  }

  private enum TokenExpiryCheck implements Command {
    INSTANCE
  }

  private enum OutboundGone implements Command {
    INSTANCE
  }

  /** A message did not fit the outbound buffer: the client is not reading fast enough. */
  private enum OutboundOverflowed implements Command {
    INSTANCE
  }

  private enum FlushTimedOut implements Command {
    INSTANCE
  }

  /** Everything a connection needs to know about where it lives. */
  record Context(
      String sessionId,
      String connectionId,
      Transport transport,
      Outbound outbound,
      Optional<Instant> validUntil,
      SessionDirectory sessions,
      TransportSettings settings,
      Duration askTimeout,
      Duration attachRetryDelay,
      Traffic traffic) {}

  private static final String LIVENESS_TIMER = "liveness";
  private static final String FLUSH_TIMER = "flush";
  private static final String TOKEN_EXPIRY_TIMER = "token-expiry";
  /** Longest single wait for a token's expiry: the scheduler refuses delays of many months, tokens may last longer. */
  private static final Duration MAX_EXPIRY_WAIT = Duration.ofDays(1);
  /** How long a leaving connection waits for its last frames to be written before it aborts the socket. */
  private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(5);
  /**
   * How long a slow consumer gets to read its backlog and the close frame behind it before its socket is aborted: a
   * client that resumes reading at once still sees them; one that does not would keep the socket open indefinitely.
   */
  private static final Duration SLOW_CONSUMER_GRACE = Duration.ofSeconds(1);

  static Behavior<Command> create(Context connection) {
    return Behaviors.setup(
        context -> Behaviors.withTimers(timers -> new Connection(context, timers, connection)));
  }

  private final TimerScheduler<Command> timers;
  private final Context connection;
  private final ActorRef<ServerMessage> inbox;
  private final ActorRef<Attachment.Command> attachment;
  private final Census census;
  private final RateLimit rateLimit;
  private long lastInboundNanos = System.nanoTime();
  private int violations;
  /** Whether a message was refused for want of room; nothing more is queued after that. */
  private boolean overflowed;

  private Connection(ActorContext<Command> context, TimerScheduler<Command> timers, Context connection) {
    super(context);
    this.timers = timers;
    this.connection = connection;
    this.census = Census.get(context.getSystem());
    this.rateLimit = new RateLimit(connection.settings().messagesPerSecond(), connection.settings().messageBurst());
    census.connectionStarted(connection.transport().census());
    context.pipeToSelf(connection.outbound().terminated(), (done, failure) -> OutboundGone.INSTANCE);
    this.inbox = context.messageAdapter(ServerMessage.class, Deliver::new);
    send(
        new ServerMessage.Welcome(
            1, connection.sessionId(), connection.connectionId(), connection.settings().heartbeat().toMillis()));
    // Attaches, follows the session wherever it moves, and replays what is pending each time (ended by "synced").
    this.attachment =
        context.spawn(
            Attachment.create(
                connection.sessionId(),
                connection.connectionId(),
                connection.sessions(),
                context.messageAdapter(Attachment.Event.class, FromAttachment::new),
                connection.askTimeout(),
                connection.attachRetryDelay()),
            "attachment");
    scheduleTokenExpiryCheck();
    if (connection.transport() == Transport.WEBSOCKET) {
      // Pekko HTTP cannot tell a dead peer from a quiet one; the client's own pings are the only proof of life.
      timers.startTimerWithFixedDelay(LIVENESS_TIMER, LivenessCheck.INSTANCE, connection.settings().heartbeat());
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Received.class, this::onReceived)
        .onMessage(Oversized.class, this::onOversized)
        .onMessageEquals(BinaryReceived.INSTANCE, this::onBinary)
        .onMessage(Deliver.class, this::onDeliver)
        .onMessage(FromAttachment.class, from -> onAttachment(from.event()))
        .onMessageEquals(LivenessCheck.INSTANCE, this::onLivenessCheck)
        .onMessageEquals(TokenExpiryCheck.INSTANCE, this::onTokenExpiryCheck)
        .onMessageEquals(OutboundOverflowed.INSTANCE, this::onOutboundOverflowed)
        .onMessageEquals(ClientGone.INSTANCE, this::leave)
        .onMessageEquals(OutboundGone.INSTANCE, this::onStreamGone)
        .onMessageEquals(StreamEnded.INSTANCE, this::onStreamGone)
        .onMessageEquals(ServerShutdown.INSTANCE, this::leave)
        .onSignal(PostStop.class, signal -> onPostStop())
        .build();
  }

  private Behavior<Command> onReceived(Received received) {
    lastInboundNanos = System.nanoTime();
    connection.traffic().received(connection.transport(), received.bytes());
    if (!rateLimit.tryAcquire(lastInboundNanos)) {
      return violation(ErrorCode.RATE_LIMITED, "more than " + connection.settings().messagesPerSecond() + " messages per second");
    }
    ClientMessage message;
    try {
      message = WireCodec.decodeClient(received.text());
    } catch (InvalidInputException e) {
      send(ServerMessage.Error.of(ErrorCode.BAD_MESSAGE, e.getMessage()));
      return this;
    }
    if (message instanceof ClientMessage.Answer answer) {
      respond(answer.id(), new InteractionOutcome.Answered(answer.value(), connection.connectionId()), answer.ref());
    } else if (message instanceof ClientMessage.Reject reject) {
      respond(reject.id(), new InteractionOutcome.Rejected(reject.reason()), reject.ref());
    } else {
      send(new ServerMessage.Pong());
    }
    return this;
  }

  private void respond(String interactionId, InteractionOutcome.Response response, String ref) {
    connection
        .sessions()
        .tell(
            connection.sessionId(),
            new Session.Respond(interactionId, connection.connectionId(), response, ref, inbox.narrow(), true));
  }

  private Behavior<Command> onOversized(Oversized oversized) {
    lastInboundNanos = System.nanoTime();
    connection.traffic().received(connection.transport(), oversized.bytes());
    return violation(
        ErrorCode.TOO_LARGE,
        "message of " + oversized.bytes() + " bytes is over the limit of " + connection.settings().maxMessageBytes());
  }

  private Behavior<Command> onBinary() {
    lastInboundNanos = System.nanoTime();
    connection.traffic().received(connection.transport(), 0);
    send(ServerMessage.Error.of(ErrorCode.BAD_MESSAGE, "binary messages are not part of the protocol; send JSON text"));
    return this;
  }

  /** Refuses a message; past the tolerated number of violations the connection is closed. */
  private Behavior<Command> violation(ErrorCode code, String message) {
    violations++;
    if (violations > connection.settings().maxViolations()) {
      send(ServerMessage.Error.of(code, message + "; closing after " + violations + " violations"));
      getContext().getLog().info("closing connection {} of session {}: {} violations", connection.connectionId(), connection.sessionId(), violations);
      return leave();
    }
    send(ServerMessage.Error.of(code, message));
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
      if (!lost.first() && lost.refusal().reason() == Refusal.SHUTTING_DOWN) {
        // Its session stopped because the server is shutting down, which closes this connection itself in a moment.
        return this;
      }
      send(ServerMessage.Error.of(ErrorCode.RATE_LIMITED, lost.refusal().message()));
      return leave();
    }
    return this;
  }

  private Behavior<Command> onLivenessCheck() {
    long silentNanos = System.nanoTime() - lastInboundNanos;
    if (silentNanos > connection.settings().livenessTimeout().toNanos()) {
      getContext()
          .getLog()
          .debug("connection {} silent for {} ms, closing", connection.connectionId(), silentNanos / 1_000_000);
      return leave();
    }
    return this;
  }

  /** The token let the client in, not stay forever: once it expires the client must come back with a fresh one. */
  private void scheduleTokenExpiryCheck() {
    connection
        .validUntil()
        .ifPresent(
            validUntil -> {
              Duration left = Duration.between(Instant.now(), validUntil);
              Duration wait = left.isNegative() ? Duration.ZERO : left.compareTo(MAX_EXPIRY_WAIT) > 0 ? MAX_EXPIRY_WAIT : left;
              timers.startSingleTimer(TOKEN_EXPIRY_TIMER, TokenExpiryCheck.INSTANCE, wait);
            });
  }

  private Behavior<Command> onTokenExpiryCheck() {
    if (Instant.now().isBefore(connection.validUntil().orElseThrow())) {
      scheduleTokenExpiryCheck();
      return this;
    }
    getContext().getLog().debug("token of connection {} expired, closing", connection.connectionId());
    send(ServerMessage.Error.of(ErrorCode.TOKEN_EXPIRED, "token expired; reconnect with a fresh token"));
    return leave();
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

  /**
   * Detaches and ends the outbound stream, then waits until the whole stream has terminated (what was already sent is
   * written: a final error, "closed" frames at shutdown, then the close handshake) before stopping, so that a shutdown
   * waiting for connections to stop does not cut sockets mid-write. A stream that cannot finish within {@code grace}
   * has a client that does not read: its socket is aborted, which would otherwise stay open until Pekko's idle timeout.
   */
  private Behavior<Command> leave(Duration grace) {
    getContext().stop(attachment);
    connection.sessions().tell(connection.sessionId(), new Session.Detach(connection.connectionId()));
    connection.outbound().end();
    timers.cancel(LIVENESS_TIMER);
    timers.startSingleTimer(FLUSH_TIMER, FlushTimedOut.INSTANCE, grace);
    return Behaviors.receive(Command.class)
        .onMessageEquals(StreamEnded.INSTANCE, Behaviors::stopped)
        .onMessageEquals(FlushTimedOut.INSTANCE, this::abort)
        .onMessage(Command.class, ignored -> Behaviors.same())
        .onSignal(PostStop.class, signal -> onPostStop())
        .build();
  }

  private Behavior<Command> abort() {
    connection.outbound().abort();
    return Behaviors.stopped();
  }

  private Behavior<Command> onPostStop() {
    connection.outbound().end();
    census.connectionStopped(connection.transport().census());
    return this;
  }

  private void send(ServerMessage message) {
    if (!overflowed && !connection.outbound().offer(message)) {
      overflowed = true;
      getContext().getSelf().tell(OutboundOverflowed.INSTANCE);
    }
  }
}
