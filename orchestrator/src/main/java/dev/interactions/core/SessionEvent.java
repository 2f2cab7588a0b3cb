package dev.interactions.core;

import dev.interactions.protocol.OutcomeCode;
import dev.interactions.protocol.RawJson;
import dev.interactions.protocol.ServerMessage;
import java.time.Instant;

/** What a {@link Session} records in its journal: interactions requested, and how each one closed. */
public sealed interface SessionEvent extends JournalRecord {

  /** The interaction whose life this event is part of. */
  String interactionId();

  /**
   * An interaction was admitted; it is pending from now on. {@code idempotencyKey} and {@code answerSchema} (the
   * request's own) may be null; events recorded before answer schemas existed read as without one.
   */
  record Requested(
      String interactionId,
      String kind,
      RawJson payload,
      Instant requestedAt,
      Instant expiresAt,
      String idempotencyKey,
      RawJson answerSchema)
      implements SessionEvent {

    /** An interaction without an answer schema of its own. */
    public Requested(
        String interactionId,
        String kind,
        RawJson payload,
        Instant requestedAt,
        Instant expiresAt,
        String idempotencyKey) {
      this(interactionId, kind, payload, requestedAt, expiresAt, idempotencyKey, null);
    }

    /** The interaction as clients see it. */
    public ServerMessage.Interaction view() {
      return new ServerMessage.Interaction(interactionId, kind, payload, requestedAt, expiresAt, answerSchema);
    }
  }

  /**
   * An interaction closed. It repeats what was asked (without the payload) so that the history of closed interactions
   * can be read from these events alone. {@code answer} and {@code answeredBy} are set for {@code answered},
   * {@code reason} may be set for {@code rejected}.
   */
  record Closed(
      String interactionId,
      String kind,
      Instant requestedAt,
      Instant expiresAt,
      OutcomeCode outcome,
      RawJson answer,
      String answeredBy,
      String reason,
      Instant closedAt,
      String idempotencyKey)
      implements SessionEvent {

    /** The closing of {@code requested} with {@code outcome} at {@code closedAt}. */
    public static Closed of(Requested requested, InteractionOutcome outcome, Instant closedAt) {
      RawJson answer = null;
      String answeredBy = null;
      String reason = null;
      if (outcome instanceof InteractionOutcome.Answered answered) {
        answer = answered.value();
        answeredBy = answered.connectionId();
      } else if (outcome instanceof InteractionOutcome.Rejected rejected) {
        reason = rejected.reason();
      }
      return new Closed(
          requested.interactionId(),
          requested.kind(),
          requested.requestedAt(),
          requested.expiresAt(),
          outcome.code(),
          answer,
          answeredBy,
          reason,
          closedAt,
          requested.idempotencyKey());
    }

    /** How it ended, as the orchestrator's API reports it. */
    public InteractionOutcome toOutcome() {
      return switch (outcome) {
        case ANSWERED -> new InteractionOutcome.Answered(answer == null ? RawJson.NULL : answer, answeredBy);
        case REJECTED -> new InteractionOutcome.Rejected(reason);
        case CANCELLED -> InteractionOutcome.Cancelled.INSTANCE;
        case EXPIRED -> InteractionOutcome.Expired.INSTANCE;
        case DISCONNECTED -> InteractionOutcome.Disconnected.INSTANCE;
        case SHUTDOWN -> InteractionOutcome.Shutdown.INSTANCE;
      };
    }

    /** The interaction as clients saw it, without its payload. */
    public ServerMessage.Interaction view() {
      return new ServerMessage.Interaction(interactionId, kind, null, requestedAt, expiresAt);
    }
  }
}
