package dev.interactions.core;

/**
 * The session remembers that interaction {@code interactionId} closed, but could not read how from its journal now
 * ({@code reason}: the database is unreachable, or slower than the ask timeout). Nothing changed: ask again later.
 */
public record UnreadableInteraction(String sessionId, String interactionId, String reason) implements InteractionLookup {}
