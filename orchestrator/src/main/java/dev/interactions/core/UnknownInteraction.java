package dev.interactions.core;

/** The session neither has interaction {@code interactionId} pending nor remembers it. */
public record UnknownInteraction(String sessionId, String interactionId) implements InteractionLookup {}
