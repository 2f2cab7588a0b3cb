package dev.interactions.core;

/** The orchestrator did not create the interaction or attach the connection, and says why. */
public record RequestRefused(Refusal reason, String message) implements RequestResult, Session.Admission, Session.AttachResult {}
