package dev.interactions.core;

import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * The one message a requester receives for an interaction it asked for: the interaction's {@link InteractionOutcome},
 * a {@link RequestRefused} if the interaction was never created, or {@link Suspended} if this process stopped serving a
 * durable interaction before its outcome.
 */
// Outcomes travel inside other messages too (a client's response, a closed status): their class goes with them.
@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS)
public sealed interface RequestResult extends ClusterMessage permits InteractionOutcome, RequestRefused, Suspended {}
