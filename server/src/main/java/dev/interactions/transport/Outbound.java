package dev.interactions.transport;

import dev.interactions.protocol.ServerMessage;

/** What a {@link Connection} hands to its client's outbound stream: a message, or the end of the stream. */
sealed interface Outbound {

  /** One server message for the client. */
  record Frame(ServerMessage message) implements Outbound {}

  /** Completes the stream: a WebSocket close frame, or the end of the event stream. */
  enum End implements Outbound {
    INSTANCE
  }
}
