package dev.interactions.core;

import dev.interactions.protocol.OutcomeCode;
import dev.interactions.protocol.RawJson;

/** How an interaction ended. Every interaction ends exactly once, with exactly one of these. */
public sealed interface InteractionOutcome extends RequestResult {

  /** The wire name of this outcome. */
  OutcomeCode code();

  /** What a client can submit: an answer or a rejection. */
  sealed interface Response extends InteractionOutcome permits Answered, Rejected {}

  /** A client answered with {@code value}; {@code connectionId} names the connection whose answer won. */
  record Answered(RawJson value, String connectionId) implements Response {
    @Override
    public OutcomeCode code() {
      return OutcomeCode.ANSWERED;
    }
  }

  /** A client rejected the interaction; {@code reason} may be null. */
  record Rejected(String reason) implements Response {
    @Override
    public OutcomeCode code() {
      return OutcomeCode.REJECTED;
    }
  }

  /** The requester cancelled it, or the requester stopped. */
  enum Cancelled implements InteractionOutcome {
    INSTANCE;

    @Override
    public OutcomeCode code() {
      return OutcomeCode.CANCELLED;
    }

    @Override
    public String toString() {
      return "Cancelled";
    }
  }

  /** Its deadline passed without an answer. */
  enum Expired implements InteractionOutcome {
    INSTANCE;

    @Override
    public OutcomeCode code() {
      return OutcomeCode.EXPIRED;
    }

    @Override
    public String toString() {
      return "Expired";
    }
  }

  /** Its session had no client for longer than the reconnect grace period. */
  enum Disconnected implements InteractionOutcome {
    INSTANCE;

    @Override
    public OutcomeCode code() {
      return OutcomeCode.DISCONNECTED;
    }

    @Override
    public String toString() {
      return "Disconnected";
    }
  }

  /** No device showed it in time (its delivery deadline), or none was connected to a request that said to fail then. */
  enum Undelivered implements InteractionOutcome {
    INSTANCE;

    @Override
    public OutcomeCode code() {
      return OutcomeCode.UNDELIVERED;
    }

    @Override
    public String toString() {
      return "Undelivered";
    }
  }

  /** The orchestrator stopped while it was pending. */
  enum Shutdown implements InteractionOutcome {
    INSTANCE;

    @Override
    public OutcomeCode code() {
      return OutcomeCode.SHUTDOWN;
    }

    @Override
    public String toString() {
      return "Shutdown";
    }
  }
}
