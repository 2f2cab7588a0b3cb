package dev.interactions.core;

import dev.interactions.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The connections attached to one session incarnation, by connection id: who hears the session's frames. It is the
 * session's runtime, not its record: a new incarnation starts with none, and the connections attach again by themselves
 * (see {@link Attachment}). Owned and used by one {@link Session} actor only.
 */
final class AttachedConnections {

  private final Map<String, ActorRef<Attachment.Command>> byId = new LinkedHashMap<>();
  /** Who each attached connection is: what an answer through it is audited as. */
  private final Map<String, Device> devices = new java.util.HashMap<>();

  boolean isEmpty() {
    return byId.isEmpty();
  }

  int size() {
    return byId.size();
  }

  boolean contains(String connectionId) {
    return byId.containsKey(connectionId);
  }

  /** The attachment of {@code connectionId}, or null if it is not attached. */
  ActorRef<Attachment.Command> get(String connectionId) {
    return byId.get(connectionId);
  }

  void add(Device device, ActorRef<Attachment.Command> attachment) {
    byId.put(device.connectionId(), attachment);
    devices.put(device.connectionId(), device);
  }

  /** The device attached as {@code connectionId}, or null. */
  Device device(String connectionId) {
    return devices.get(connectionId);
  }

  /** Removes {@code connectionId}; returns its attachment, or null if it was not attached. */
  ActorRef<Attachment.Command> remove(String connectionId) {
    devices.remove(connectionId);
    return byId.remove(connectionId);
  }

  List<String> ids() {
    return new ArrayList<>(byId.keySet());
  }

  Collection<ActorRef<Attachment.Command>> attachments() {
    return byId.values();
  }

  /** Sends {@code message} to every attached connection. */
  void broadcast(ServerMessage message) {
    if (!byId.isEmpty()) {
      Attachment.Frame frame = new Attachment.Frame(message);
      byId.values().forEach(attachment -> attachment.tell(frame));
    }
  }
}
