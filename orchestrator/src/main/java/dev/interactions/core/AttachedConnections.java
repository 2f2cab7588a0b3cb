package dev.interactions.core;

import dev.interactions.protocol.ServerMessage;
import java.util.ArrayList;
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

  /** An attached connection: where its frames go, and who it is (what an answer through it is audited as). */
  private record Attached(ActorRef<Attachment.Command> attachment, Device device) {}

  private final Map<String, Attached> byId = new LinkedHashMap<>();

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
    Attached attached = byId.get(connectionId);
    return attached == null ? null : attached.attachment();
  }

  void add(Device device, ActorRef<Attachment.Command> attachment) {
    byId.put(device.connectionId(), new Attached(attachment, device));
  }

  /** The device attached as {@code connectionId}, or null. */
  Device device(String connectionId) {
    Attached attached = byId.get(connectionId);
    return attached == null ? null : attached.device();
  }

  /** Removes {@code connectionId}; returns its attachment, or null if it was not attached. */
  ActorRef<Attachment.Command> remove(String connectionId) {
    Attached attached = byId.remove(connectionId);
    return attached == null ? null : attached.attachment();
  }

  List<String> ids() {
    return new ArrayList<>(byId.keySet());
  }

  List<ActorRef<Attachment.Command>> attachments() {
    List<ActorRef<Attachment.Command>> attachments = new ArrayList<>(byId.size());
    byId.values().forEach(attached -> attachments.add(attached.attachment()));
    return attachments;
  }

  /** Sends {@code message} to every attached connection. */
  void broadcast(ServerMessage message) {
    if (!byId.isEmpty()) {
      Attachment.Frame frame = new Attachment.Frame(message);
      byId.values().forEach(attached -> attached.attachment().tell(frame));
    }
  }

  /**
   * Sends pending interaction {@code view} to every attached connection as {@code answerers} lets its device see it: as
   * it is, read-only, or not at all.
   */
  void offer(ServerMessage.Interaction view, Answerers answerers) {
    if (!answerers.restrictsAnyone()) {
      broadcast(view);
      return;
    }
    byId.values()
        .forEach(
            attached -> {
              ServerMessage.Interaction frame = answerers.frameFor(attached.device(), view);
              if (frame != null) {
                attached.attachment().tell(new Attachment.Frame(frame));
              }
            });
  }

  /** Sends {@code message}, about an interaction answered by {@code answerers}, to the connections that see it. */
  void broadcast(ServerMessage message, Answerers answerers) {
    if (answerers.visibility() == Answerers.Visibility.ALL || !answerers.restrictsAnyone()) {
      broadcast(message);
      return;
    }
    Attachment.Frame frame = new Attachment.Frame(message);
    byId.values()
        .forEach(
            attached -> {
              if (answerers.showTo(attached.device())) {
                attached.attachment().tell(frame);
              }
            });
  }
}
