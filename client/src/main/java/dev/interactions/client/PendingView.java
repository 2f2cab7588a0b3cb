package dev.interactions.client;

import dev.interactions.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A device's view of its session's pending interactions, kept from the frames the server sends, and what of each frame
 * the device's handlers are told. After a reconnect the server replays everything pending: an interaction the device
 * already knows is not reported again, only what changed about it meanwhile (its deadline, who showed it). One that
 * closed while the device was away gets no {@code closed} frame; the {@code synced} frame that ends the replay says so,
 * and it is reported closed then, its outcome unknown. Not thread-safe: its device calls it under its lock.
 */
final class PendingView {

  /** Oldest first. */
  private final Map<String, ServerMessage.Interaction> pending = new LinkedHashMap<>();
  /**
   * Pending interactions the server sent since the last {@code welcome} or {@code synced}. A replay needs no {@code
   * welcome} (after a failover it comes on the same socket), so its start is not marked; at its {@code synced}, what
   * the server did not send since the previous one is gone.
   */
  private final Set<String> sentSinceSynced = new HashSet<>();

  /** What the handlers are told of {@code frame}, in order; nothing for frames about the connection itself. */
  List<ServerMessage> apply(ServerMessage frame) {
    if (frame instanceof ServerMessage.Welcome) {
      sentSinceSynced.clear();
    } else if (frame instanceof ServerMessage.Interaction interaction) {
      return interaction(interaction);
    } else if (frame instanceof ServerMessage.Synced) {
      return synced();
    } else if (frame instanceof ServerMessage.Closed closed) {
      sentSinceSynced.remove(closed.id());
      return known(pending.remove(closed.id()), closed);
    } else if (frame instanceof ServerMessage.Shown shown) {
      return known(pending.computeIfPresent(shown.id(), (id, known) -> shownBy(known, shown.by())), shown);
    } else if (frame instanceof ServerMessage.Extended extended) {
      return known(pending.computeIfPresent(extended.id(), (id, known) -> expiring(known, extended)), extended);
    } else if (frame instanceof ServerMessage.Progress progress) {
      return known(pending.get(progress.id()), progress);
    }
    return List.of();
  }

  /** The pending interactions, oldest first, as last sent or updated. */
  List<ServerMessage.Interaction> pending() {
    return List.copyOf(pending.values());
  }

  Optional<ServerMessage.Interaction> get(String interactionId) {
    return Optional.ofNullable(pending.get(interactionId));
  }

  private List<ServerMessage> interaction(ServerMessage.Interaction sent) {
    sentSinceSynced.add(sent.id());
    ServerMessage.Interaction known = pending.put(sent.id(), sent);
    if (known == null) {
      return List.of(sent);
    }
    List<ServerMessage> changes = new ArrayList<>();
    if (!Objects.equals(known.expiresAt(), sent.expiresAt())) {
      changes.add(new ServerMessage.Extended(sent.id(), sent.expiresAt()));
    }
    if (known.shownBy() == null && sent.shownBy() != null) {
      changes.add(new ServerMessage.Shown(sent.id(), sent.shownBy()));
    }
    return changes;
  }

  private List<ServerMessage> synced() {
    List<ServerMessage> gone = new ArrayList<>();
    for (Iterator<String> ids = pending.keySet().iterator(); ids.hasNext(); ) {
      String id = ids.next();
      if (!sentSinceSynced.contains(id)) {
        ids.remove();
        gone.add(new ServerMessage.Closed(id, null));
      }
    }
    sentSinceSynced.clear();
    return gone;
  }

  /** {@code report} if it is about an interaction the view knows ({@code known} not null); else nothing. */
  private static List<ServerMessage> known(ServerMessage.Interaction known, ServerMessage report) {
    return known == null ? List.of() : List.of(report);
  }

  private static ServerMessage.Interaction shownBy(ServerMessage.Interaction i, String by) {
    return new ServerMessage.Interaction(
        i.id(), i.kind(), i.payload(), i.requestedAt(), i.expiresAt(), i.answerSchema(), i.extendableUntil(), by, i.shownAt(),
        i.readOnly());
  }

  private static ServerMessage.Interaction expiring(ServerMessage.Interaction i, ServerMessage.Extended extended) {
    return new ServerMessage.Interaction(
        i.id(), i.kind(), i.payload(), i.requestedAt(), extended.expiresAt(), i.answerSchema(), i.extendableUntil(), i.shownBy(),
        i.shownAt(), i.readOnly());
  }
}
