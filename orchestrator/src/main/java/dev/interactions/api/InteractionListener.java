package dev.interactions.api;

import dev.interactions.protocol.ServerMessage;

/**
 * An in-process client of a session: it is shown every pending interaction and told when each one closes.
 *
 * <p>Callbacks run on the connection's actor, one at a time, in order. They must return quickly and must not block; an
 * exception thrown from one is logged and does not detach the client.
 */
public interface InteractionListener {

  /** An interaction is pending: newly requested, or replayed because this client just attached. */
  void onInteraction(ServerMessage.Interaction interaction);

  /** An interaction ended (answered here or elsewhere, rejected, cancelled, expired...); retract its prompt. */
  void onClosed(ServerMessage.Closed closed);

  /** A device (this one or another) showed an interaction first. Ignored unless overridden. */
  default void onShown(ServerMessage.Shown shown) {}

  /** An interaction's deadline moved out: someone works on an answer. Ignored unless overridden. */
  default void onExtended(ServerMessage.Extended extended) {}
}
