package dev.interactions.core;

/**
 * The answer to "what became of interaction X?": its {@link InteractionStatus}, {@link UnknownInteraction}, or
 * {@link UnreadableInteraction} when the journal that holds its outcome cannot be read now.
 */
public sealed interface InteractionLookup extends ClusterMessage permits InteractionStatus, UnknownInteraction, UnreadableInteraction {}
