package dev.interactions.transport;

import dev.interactions.core.InteractionOutcome;
import dev.interactions.core.InteractionStatus;
import dev.interactions.core.SessionEvent;
import dev.interactions.persistence.HistoryPage;
import dev.interactions.protocol.HttpBodies;
import dev.interactions.protocol.OutcomeCode;
import dev.interactions.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.List;

/** How an {@link InteractionStatus} and a page of history read over HTTP. */
final class HttpRepresentation {

  private HttpRepresentation() {}

  static HttpBodies.History of(String sessionId, HistoryPage page) {
    List<HttpBodies.ClosedInteraction> closed = new ArrayList<>(page.closed().size());
    page.closed()
        .forEach(
            entry -> {
              SessionEvent.Closed c = entry.interaction();
              closed.add(
                  new HttpBodies.ClosedInteraction(
                      c.interactionId(),
                      c.kind(),
                      c.outcome().wireName(),
                      c.requestedAt(),
                      c.expiresAt(),
                      c.closedAt(),
                      c.outcome() == OutcomeCode.ANSWERED ? c.answer() : null,
                      c.reason(),
                      c.answeredBy(),
                      c.audit()));
            });
    return new HttpBodies.History(sessionId, closed, page.next().orElse(null));
  }

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
        outcome instanceof InteractionOutcome.Answered answered ? answered.connectionId() : null,
        view.shownBy(),
        view.shownAt(),
        status.audit().orElse(null));
  }
}
