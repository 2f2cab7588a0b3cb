package dev.interactions.core;

/**
 * A device as the server knows it, for the audit of what it answers: its connection, the subject of the token it was
 * opened with ({@code null} with auth off), its transport ({@code websocket}, {@code sse}, {@code http},
 * {@code in-process}) and its user agent ({@code null} when unknown). {@code claimed} marks a connection id that the
 * client named itself (an HTTP answer's {@code connectionId}): the session checks it against its attached connections
 * before it counts.
 */
public record Device(String connectionId, String subject, String transport, String userAgent, boolean claimed) {

  /** Longest user agent kept: enough to tell devices apart, bounded whatever a client sends. */
  public static final int MAX_USER_AGENT = 256;

  public Device {
    if (userAgent != null && userAgent.length() > MAX_USER_AGENT) {
      userAgent = userAgent.substring(0, MAX_USER_AGENT);
    }
  }

  /** A client of the Java API in this process: its connection id is the server's own. */
  public static Device inProcess(String connectionId) {
    return new Device(connectionId, null, "in-process", null, false);
  }

  /** A connection the server opened itself (WebSocket, event stream): nothing about it is the client's claim. */
  public static Device connected(String connectionId, String subject, String transport, String userAgent) {
    return new Device(connectionId, subject, transport, userAgent, false);
  }

  /** This device as the connection {@code attached} says, if it names that connection and the same subject; else none. */
  Device verifiedAgainst(Device attached) {
    if (attached == null) {
      return null;
    }
    boolean sameSubject = subject == null ? attached.subject() == null : subject.equals(attached.subject());
    return sameSubject ? attached : null;
  }

  /**
   * An HTTP caller that names no connection of its own: {@code http:<subject>} ({@code http:anonymous} with auth off,
   * {@code subject} null).
   */
  public static Device httpCaller(String subject, String userAgent) {
    return new Device("http:" + (subject == null ? "anonymous" : subject), subject, "http", userAgent, false);
  }

  /** What an answer from this device that named no attached connection counts as: its HTTP caller. */
  Device asHttpCaller() {
    return httpCaller(subject, userAgent);
  }
}
