package dev.interactions.core;

import dev.interactions.protocol.Audit;
import dev.interactions.protocol.ServerMessage;
import java.util.Optional;

/**
 * An interaction as its requester sees it: what was asked ({@code interaction}; its payload is dropped once it closed,
 * to keep remembered outcomes small) and, once it closed, how it ended and its {@code audit} (who answered, when it was
 * shown; empty when there is nothing to say).
 */
public record InteractionStatus(
    String sessionId,
    ServerMessage.Interaction interaction,
    Optional<InteractionOutcome> outcome,
    Optional<Audit> audit)
    implements InteractionLookup {

  /** A pending interaction. */
  public static InteractionStatus pending(String sessionId, ServerMessage.Interaction interaction) {
    return new InteractionStatus(sessionId, interaction, Optional.empty(), Optional.empty());
  }

  /** A closed interaction with its audit ({@code null}: none). */
  public static InteractionStatus closed(
      String sessionId, ServerMessage.Interaction interaction, InteractionOutcome outcome, Audit audit) {
    return new InteractionStatus(sessionId, interaction, Optional.of(outcome), Optional.ofNullable(audit));
  }

  /** A closed interaction. */
  public static InteractionStatus closed(
      String sessionId, ServerMessage.Interaction interaction, InteractionOutcome outcome) {
    return closed(sessionId, interaction, outcome, null);
  }

  /** Whether it is still waiting for an outcome. */
  public boolean isPending() {
    return outcome.isEmpty();
  }
}
