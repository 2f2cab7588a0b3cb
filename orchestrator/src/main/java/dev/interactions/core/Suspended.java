package dev.interactions.core;

/**
 * What the requester of a durable interaction hears if this process stops serving it before its outcome (a graceful
 * shutdown, a journal failure): the interaction is still pending in the journal, resumes when its session recovers, and
 * its outcome can be read later with {@code GET /v1/sessions/{sessionId}/interactions/{interactionId}}.
 */
public record Suspended(String sessionId, String interactionId) implements RequestResult {}
