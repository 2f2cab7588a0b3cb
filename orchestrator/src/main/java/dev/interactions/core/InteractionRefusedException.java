package dev.interactions.core;

/** Completes a requester's future when the interaction was never created, carrying the typed {@link Refusal}. */
public final class InteractionRefusedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient RequestRefused refusal;

  public InteractionRefusedException(RequestRefused refusal) {
    super(refusal.reason() + ": " + refusal.message());
    this.refusal = refusal;
  }

  /** Why it was refused. */
  public Refusal reason() {
    return refusal.reason();
  }
}
