package dev.interactions.core;

/**
 * Completes the Java API's future of a durable interaction when this process stopped serving it before its outcome (a
 * graceful shutdown, a journal failure). The interaction is still pending in the journal and resumes when its session
 * recovers; read its outcome over HTTP with {@code GET /v1/sessions/{sessionId}/interactions/{interactionId}}.
 */
public final class InteractionSuspendedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Suspended suspended;

  /** Wraps {@code suspended}. */
  public InteractionSuspendedException(Suspended suspended) {
    super(
        "interaction "
            + suspended.interactionId()
            + " of session "
            + suspended.sessionId()
            + " is still pending in the journal, but this process stopped serving it");
    this.suspended = suspended;
  }

  /** Which interaction. */
  public Suspended suspended() {
    return suspended;
  }
}
