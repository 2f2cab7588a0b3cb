package dev.interactions.client;

import java.io.IOException;

/**
 * The server closed a device's WebSocket with a close frame: liveness, slow reading, token expiry, a session that
 * refused the attachment, shutdown ({@code docs/PROTOCOL.md}, "Lifecycle of a connection"). {@link #statusCode()} is
 * the close frame's code, e.g. {@code 1000} or {@code 1011}. The device reconnects after it; {@link
 * Device#onConnectionLost} hears it.
 */
public final class ConnectionClosedException extends IOException {

  private static final long serialVersionUID = 1L;

  private final int statusCode;
  private final String reason;

  ConnectionClosedException(String sessionId, int statusCode, String reason) {
    super("session " + sessionId + " closed the connection (" + statusCode + ")");
    this.statusCode = statusCode;
    this.reason = reason == null ? "" : reason;
  }

  /** The close frame's status code (RFC 6455, 7.4). */
  public int statusCode() {
    return statusCode;
  }

  /** The close frame's reason; empty when it gave none. */
  public String reason() {
    return reason;
  }
}
