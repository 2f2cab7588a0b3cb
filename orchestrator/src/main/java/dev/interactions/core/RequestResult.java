package dev.interactions.core;

/**
 * The one message a requester receives for an interaction it asked for: the interaction's {@link InteractionOutcome},
 * or a {@link RequestRefused} if the interaction was never created.
 */
public sealed interface RequestResult permits InteractionOutcome, RequestRefused {}
