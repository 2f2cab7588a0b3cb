package dev.interactions.core;

/** Why the orchestrator refused to create an interaction or attach a connection. Nothing accepted before is affected. */
public enum Refusal {
  /** This node already holds {@code orchestrator.node.max-sessions} sessions. */
  SESSION_LIMIT,
  /** The session already has {@code orchestrator.session.max-pending-interactions} pending interactions. */
  PENDING_LIMIT,
  /** The session already has {@code orchestrator.session.max-connections} connections. */
  CONNECTION_LIMIT,
  /** An interaction with this id is already pending in the session. */
  DUPLICATE_ID,
  /** The interaction already has {@code orchestrator.interaction.max-waiters} readers and followers. */
  WAITER_LIMIT,
  /** The orchestrator is shutting down. */
  SHUTTING_DOWN,
  /**
   * The session stopped on a journal failure and is restarted after {@code orchestrator.persistence.restart-delay}; retry
   * then. Nothing was recorded.
   */
  UNAVAILABLE
}
