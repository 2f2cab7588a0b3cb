package dev.interactions.core;

import java.util.Objects;
import java.util.Set;

/**
 * A device as the server knows it, for the audit of what it answers and for who may answer what ({@link Answerers}): its
 * connection, the subject of the token it was opened with ({@code null} with auth off) and the roles that token grants
 * (empty with auth off), its transport ({@code websocket}, {@code sse}, {@code http},
 * {@code in-process}) and its user agent ({@code null} when unknown). {@code claimed} marks a connection id that the
 * client named itself (an HTTP answer's {@code connectionId}): the session checks it against its attached connections
 * before it counts.
 */
public record Device(
    String connectionId, String subject, Set<String> roles, String transport, String userAgent, boolean claimed) {

  /** Longest user agent kept: enough to tell devices apart, bounded whatever a client sends. */
  public static final int MAX_USER_AGENT = 256;

  public Device {
    roles = roles == null ? Set.of() : Set.copyOf(roles);
    if (userAgent != null && userAgent.length() > MAX_USER_AGENT) {
      userAgent = userAgent.substring(0, MAX_USER_AGENT);
    }
  }

  /** A client of the Java API in this process: its connection id is the server's own. */
  public static Device inProcess(String connectionId) {
    return inProcess(connectionId, null, Set.of());
  }

  /**
   * A client of the Java API in this process that its host authenticated as {@code subject} (null: nobody) with
   * {@code roles}.
   */
  public static Device inProcess(String connectionId, String subject, Set<String> roles) {
    return new Device(connectionId, subject, roles, "in-process", null, false);
  }

  /** A connection the server opened itself (WebSocket, event stream): nothing about it is the client's claim. */
  public static Device connected(
      String connectionId, String subject, Set<String> roles, String transport, String userAgent) {
    return new Device(connectionId, subject, roles, transport, userAgent, false);
  }

  /**
   * A connection id that an HTTP caller named itself, proved to be {@code subject} with {@code roles}: it counts only if
   * that connection is attached with the same subject.
   */
  public static Device claimed(String connectionId, String subject, Set<String> roles, String userAgent) {
    return new Device(connectionId, subject, roles, "http", userAgent, true);
  }

  /**
   * This device as the connection {@code attached} it names, if that one was opened with the same subject; else none.
   * The connection, transport and user agent are the attached one's (the audit); the roles stay this request's own, so
   * a role its token no longer grants does not come back through a connection opened earlier.
   */
  Device verifiedAgainst(Device attached) {
    if (attached == null || !Objects.equals(subject, attached.subject())) {
      return null;
    }
    return new Device(attached.connectionId(), subject, roles, attached.transport(), attached.userAgent(), false);
  }

  /**
   * An HTTP caller that names no connection of its own: {@code http:<subject>} ({@code http:anonymous} with auth off,
   * {@code subject} null).
   */
  public static Device httpCaller(String subject, Set<String> roles, String userAgent) {
    return new Device("http:" + (subject == null ? "anonymous" : subject), subject, roles, "http", userAgent, false);
  }

  /** What an answer from this device that named no attached connection counts as: its HTTP caller. */
  Device asHttpCaller() {
    return httpCaller(subject, roles, userAgent);
  }
}
