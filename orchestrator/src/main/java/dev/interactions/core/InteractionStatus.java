package dev.interactions.core;

import dev.interactions.protocol.ServerMessage;
import java.util.Optional;

/**
 * An interaction as its requester sees it: what was asked ({@code interaction}; its payload is dropped once it closed,
 * to keep remembered outcomes small) and, once it closed, how it ended.
 */
public record InteractionStatus(
    String sessionId, ServerMessage.Interaction interaction, Optional<InteractionOutcome> outcome)
    implements InteractionLookup {

  /** A pending interaction. */
  public static InteractionStatus pending(String sessionId, ServerMessage.Interaction interaction) {
    return new InteractionStatus(sessionId, interaction, Optional.empty());
  }

  /** A closed interaction. */
  public static InteractionStatus closed(
      String sessionId, ServerMessage.Interaction interaction, InteractionOutcome outcome) {
    return new InteractionStatus(sessionId, interaction, Optional.of(outcome));
  }

  /** Whether it is still waiting for an outcome. */
  public boolean isPending() {
    return outcome.isEmpty();
  }
}
