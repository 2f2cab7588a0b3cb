package dev.interactions.api;

import dev.interactions.core.Device;
import dev.interactions.core.InteractionOutcome;
import dev.interactions.core.SessionDirectory;
import dev.interactions.core.Session;
import dev.interactions.protocol.Identifiers;
import dev.interactions.protocol.RawJson;
import dev.interactions.protocol.ServerMessage;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * An attached in-process client: it answers or rejects interactions of its session and detaches with {@link #close()}.
 * Each answer or rejection completes with an {@link ServerMessage.Ack} or an {@link ServerMessage.Error} (for example
 * {@code already_closed} when another client answered first).
 */
public final class ClientHandle implements AutoCloseable {

  private final String sessionId;
  /** Who this client is: every command names it, so the session judges it as this device even while it re-attaches. */
  private final Device device;
  private final ActorRef<InProcessConnection.Command> connection;
  private final SessionDirectory directory;
  private final Duration askTimeout;

  ClientHandle(
      String sessionId,
      Device device,
      ActorRef<InProcessConnection.Command> connection,
      SessionDirectory directory,
      Duration askTimeout) {
    this.sessionId = sessionId;
    this.device = device;
    this.connection = connection;
    this.directory = directory;
    this.askTimeout = askTimeout;
  }

  /** The session this client is attached to. */
  public String sessionId() {
    return sessionId;
  }

  /** This client's connection id, reported as {@code answeredBy} when its answer wins. */
  public String connectionId() {
    return device.connectionId();
  }

  /** Answers interaction {@code interactionId} with {@code value}. */
  public CompletionStage<ServerMessage.Receipt> answer(String interactionId, RawJson value) {
    return respond(interactionId, new InteractionOutcome.Answered(value, device.connectionId()));
  }

  /** Rejects interaction {@code interactionId}; {@code reason} may be null. */
  public CompletionStage<ServerMessage.Receipt> reject(String interactionId, String reason) {
    return respond(interactionId, new InteractionOutcome.Rejected(reason));
  }

  /**
   * Reports interaction {@code interactionId} on this client's screen: the first report is recorded (its delivery
   * deadline stops) and every client hears {@code shown}. Completes with {@code ack}, or {@code unknown_interaction}.
   */
  public CompletionStage<ServerMessage.Receipt> shown(String interactionId) {
    return ask(interactionId, replyTo -> new Session.Shown(interactionId, device, replyTo, false));
  }

  /**
   * Someone works on an answer to {@code interactionId}: its deadline moves to at least {@code by} from now, never
   * beyond the request's {@code maxTimeout}; every client hears {@code extended}. Completes with {@code ack}, or an
   * error if it is not pending.
   */
  public CompletionStage<ServerMessage.Receipt> extend(String interactionId, Duration by) {
    return ask(interactionId, replyTo -> new Session.Extend(interactionId, device, by, null, replyTo, false));
  }

  /** Detaches this client. Pending interactions stay pending for the session's other clients or a reconnect. */
  @Override
  public void close() {
    connection.tell(InProcessConnection.Close.INSTANCE);
  }

  private CompletionStage<ServerMessage.Receipt> respond(String interactionId, InteractionOutcome.Response response) {
    return ask(interactionId, replyTo -> new Session.Respond(interactionId, device, response, null, replyTo, false));
  }

  private CompletionStage<ServerMessage.Receipt> ask(
      String interactionId, java.util.function.Function<ActorRef<ServerMessage.Receipt>, Session.Command> command) {
    Identifiers.require("id", interactionId);
    return directory.ask(sessionId, command, askTimeout);
  }
}
