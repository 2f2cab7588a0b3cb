package dev.interactions.core;

import dev.interactions.protocol.ServerMessage;
import java.util.List;

/**
 * A snapshot of one session: the connections attached to it and its pending interactions, oldest first.
 *
 * @param sessionId the session
 * @param connections ids of the attached connections
 * @param pending the pending interactions as clients see them
 * @param node the cluster address ({@code host:port}) of the node hosting the session; empty if none does
 */
public record SessionState(
    String sessionId, List<String> connections, List<ServerMessage.Interaction> pending, String node)
    implements ClusterMessage {

  public SessionState {
    connections = List.copyOf(connections);
    pending = List.copyOf(pending);
  }

  /** The state of a session that does not exist: nothing attached, nothing pending. */
  public static SessionState absent(String sessionId) {
    return new SessionState(sessionId, List.of(), List.of(), "");
  }
}
