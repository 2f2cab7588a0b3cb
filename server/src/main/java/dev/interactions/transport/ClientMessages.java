package dev.interactions.transport;

import dev.interactions.core.InteractionOutcome;
import dev.interactions.core.Session;
import dev.interactions.protocol.ClientMessage;
import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.InvalidInputException;
import dev.interactions.protocol.ServerMessage;
import dev.interactions.protocol.WireCodec;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;

/**
 * What a {@link Connection} makes of its client's messages: it enforces the rate limit and the size limit, counts the
 * messages it refuses, answers pings and malformed messages itself, and turns answers and rejections into session
 * commands. Owned by the connection's actor (not thread-safe, and it need not be).
 */
final class ClientMessages {

  private final Connection.Context connection;
  private final ConnectionDeadlines deadlines;
  private final ActorRef<ServerMessage.Receipt> receipts;
  private final Consumer<ServerMessage> toClient;
  private final Logger log;
  private final RateLimit rateLimit;
  private int violations;

  /**
   * @param connection the connection whose client sends the messages
   * @param deadlines told of every message, which proves the client alive
   * @param receipts where the session sends the receipt (ack or error) of an answer or a rejection
   * @param toClient sends a message to the client
   * @param log the connection's log
   */
  ClientMessages(
      Connection.Context connection,
      ConnectionDeadlines deadlines,
      ActorRef<ServerMessage.Receipt> receipts,
      Consumer<ServerMessage> toClient,
      Logger log) {
    this.connection = connection;
    this.deadlines = deadlines;
    this.receipts = receipts;
    this.toClient = toClient;
    this.log = log;
    this.rateLimit = new RateLimit(connection.settings().messagesPerSecond(), connection.settings().messageBurst());
  }

  /** Handles a text message within the size limit; false when the client is to be disconnected for abuse. */
  boolean received(Connection.Received received) {
    long receivedNanos = deadlines.heardFromClient();
    connection.traffic().received(connection.transport(), received.bytes());
    if (!rateLimit.tryAcquire(receivedNanos)) {
      return violation(
          ErrorCode.RATE_LIMITED, "more than " + connection.settings().messagesPerSecond() + " messages per second");
    }
    ClientMessage message;
    try {
      message = WireCodec.decodeClient(received.text());
    } catch (InvalidInputException e) {
      toClient.accept(ServerMessage.Error.of(ErrorCode.BAD_MESSAGE, e.getMessage()));
      return true;
    }
    if (message instanceof ClientMessage.Answer answer) {
      respond(answer.id(), new InteractionOutcome.Answered(answer.value(), connection.connectionId()), answer.ref());
    } else if (message instanceof ClientMessage.Reject reject) {
      respond(reject.id(), new InteractionOutcome.Rejected(reject.reason()), reject.ref());
    } else if (message instanceof ClientMessage.Shown shown) {
      toSession(new Session.Shown(shown.id(), connection.device(), receipts, true));
    } else if (message instanceof ClientMessage.Extend extend) {
      toSession(
          new Session.Extend(
              extend.id(), connection.device(), Duration.ofMillis(extend.byMs()), extend.ref(), receipts, true));
    } else {
      toClient.accept(new ServerMessage.Pong());
    }
    return true;
  }

  /** Handles a text message over the size limit; false when the client is to be disconnected for abuse. */
  boolean oversized(Connection.Oversized oversized) {
    deadlines.heardFromClient();
    connection.traffic().received(connection.transport(), oversized.bytes());
    return violation(
        ErrorCode.TOO_LARGE,
        "message of " + oversized.bytes() + " bytes is over the limit of " + connection.settings().maxMessageBytes());
  }

  /** Handles a binary message, which the protocol does not use. */
  void binary() {
    deadlines.heardFromClient();
    connection.traffic().received(connection.transport(), 0);
    toClient.accept(
        ServerMessage.Error.of(ErrorCode.BAD_MESSAGE, "binary messages are not part of the protocol; send JSON text"));
  }

  private void respond(String interactionId, InteractionOutcome.Response response, String ref) {
    toSession(new Session.Respond(interactionId, connection.device(), response, ref, receipts, true));
  }

  private void toSession(Session.Command command) {
    connection.sessions().tell(connection.sessionId(), command);
  }

  /** Refuses a message; false past the tolerated number of violations. */
  private boolean violation(ErrorCode code, String message) {
    violations++;
    if (violations > connection.settings().maxViolations()) {
      toClient.accept(ServerMessage.Error.of(code, message + "; closing after " + violations + " violations"));
      log.info(
          "closing connection {} of session {}: {} violations",
          connection.connectionId(),
          connection.sessionId(),
          violations);
      return false;
    }
    toClient.accept(ServerMessage.Error.of(code, message));
    return true;
  }
}
