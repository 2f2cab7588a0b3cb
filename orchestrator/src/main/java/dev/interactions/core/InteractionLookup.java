package dev.interactions.core;

/** The answer to "what became of interaction X?": its {@link InteractionStatus}, or {@link UnknownInteraction}. */
public sealed interface InteractionLookup extends ClusterMessage permits InteractionStatus, UnknownInteraction {}
