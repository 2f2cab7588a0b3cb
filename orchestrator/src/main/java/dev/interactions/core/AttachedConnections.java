package dev.interactions.core;

import dev.interactions.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The connections attached to one session incarnation, by connection id, and which of them hear what: the frames of a
 * pending interaction whose request names its answerers go only to the connections that see it ({@link Answerers}).
 * It is the session's runtime, not its record: a new incarnation starts with none, and the connections attach again by
 * themselves (see {@link Attachment}). Owned and used by one {@link Session} actor only.
 */
final class AttachedConnections {

  /** An attached connection: where its frames go, and who it is (what an answer through it is audited as). */
  private record Attached(ActorRef<Attachment.Command> attachment, Device device) {}

  private final Map<String, Attached> byId = new LinkedHashMap<>();
  /**
   * Who may answer the pending interactions hidden from the devices that may not answer them, by interaction id (the
   * rest, the most, are heard of by every connection); each leaves when its interaction closes. Null while there is
   * none: most sessions never have one, and an empty map would be part of every idle session.
   */
  private Map<String, Answerers> restricted;

  int size() {
    return byId.size();
  }

  boolean contains(String connectionId) {
    return byId.containsKey(connectionId);
  }

  /** Whether the device of some attached connection may answer what {@code answerers} allow. */
  boolean anyAdmitted(Answerers answerers) {
    return byId.values().stream().anyMatch(attached -> answerers.admit(attached.device()));
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

  /** Pending interaction {@code requested} is live here: its frames go to the connections its answerers let see it. */
  void restrict(SessionEvent.Requested requested) {
    if (requested.answerers().hidesFromAnyone()) {
      if (restricted == null) {
        restricted = new HashMap<>(4);
      }
      restricted.put(requested.interactionId(), requested.answerers());
    }
  }

  /** Interaction {@code interactionId} closed: its frames are over. */
  void forget(String interactionId) {
    if (restricted != null) {
      restricted.remove(interactionId);
      if (restricted.isEmpty()) {
        restricted = null;
      }
    }
  }

  /** Sends a new pending interaction to every attached connection: as it is, read-only, or not at all. */
  void offer(SessionEvent.Requested requested) {
    if (requested.answerers().restrictsAnyone()) {
      byId.values().forEach(attached -> send(attached.attachment(), attached.device(), requested));
    } else {
      broadcast(requested.view()); // one frame for all
    }
  }

  /** Replays {@code pending} to one attaching connection, each as its device may see it; returns how many it sent. */
  int replay(Device device, ActorRef<Attachment.Command> attachment, Collection<SessionEvent.Requested> pending) {
    int replayed = 0;
    for (SessionEvent.Requested requested : pending) {
      replayed += send(attachment, device, requested) ? 1 : 0;
    }
    return replayed;
  }

  private static boolean send(
      ActorRef<Attachment.Command> attachment, Device device, SessionEvent.Requested requested) {
    ServerMessage.Interaction frame = requested.answerers().frameFor(device, requested.view());
    if (frame != null) {
      attachment.tell(new Attachment.Frame(frame));
    }
    return frame != null;
  }

  /** Sends {@code message} about interaction {@code interactionId} to every connection that sees it. */
  void broadcastAbout(String interactionId, ServerMessage message) {
    Answerers answerers = restricted == null ? null : restricted.get(interactionId);
    if (answerers == null) {
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
