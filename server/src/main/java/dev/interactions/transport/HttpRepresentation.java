package dev.interactions.transport;

import dev.interactions.core.InteractionOutcome;
import dev.interactions.core.InteractionStatus;
import dev.interactions.protocol.HttpBodies;
import dev.interactions.protocol.ServerMessage;

/** How an {@link InteractionStatus} reads over HTTP. */
final class HttpRepresentation {

  private HttpRepresentation() {}

  static HttpBodies.Interaction of(InteractionStatus status) {
    ServerMessage.Interaction view = status.interaction();
    InteractionOutcome outcome = status.outcome().orElse(null);
    return new HttpBodies.Interaction(
        view.id(),
        status.sessionId(),
        view.kind(),
        outcome == null ? "pending" : outcome.code().wireName(),
        view.requestedAt(),
        view.expiresAt(),
        view.payload(),
        outcome instanceof InteractionOutcome.Answered answered ? answered.value() : null,
        outcome instanceof InteractionOutcome.Rejected rejected ? rejected.reason() : null,
        outcome instanceof InteractionOutcome.Answered answered ? answered.connectionId() : null);
  }
}
