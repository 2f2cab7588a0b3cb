package dev.interactions.core;

/**
 * The one message a requester receives for an interaction it asked for: the interaction's {@link InteractionOutcome},
 * a {@link RequestRefused} if the interaction was never created, or {@link Suspended} if this process stopped serving a
 * durable interaction before its outcome.
 */
public sealed interface RequestResult permits InteractionOutcome, RequestRefused, Suspended {}
