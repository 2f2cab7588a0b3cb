package dev.interactions.core;

/** The orchestrator did not create the interaction or attach the connection, and says why. */
public record RequestRefused(Refusal reason, String message) implements RequestResult, Session.Admission, ClusterMessage {

  /** The refusal every part of the orchestrator gives once shutdown has begun. */
  public static RequestRefused shuttingDown() {
    return new RequestRefused(Refusal.SHUTTING_DOWN, "the orchestrator is shutting down");
  }
}
