package dev.interactions.core;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.interactions.protocol.Audit;
import dev.interactions.protocol.OutcomeCode;
import dev.interactions.protocol.RawJson;
import dev.interactions.protocol.ServerMessage;
import dev.interactions.protocol.WhenNoDevice;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** What a {@link Session} records in its journal: interactions requested, and how each one closed. */
public sealed interface SessionEvent extends JournalRecord {

  /** The interaction whose life this event is part of. */
  String interactionId();

  /**
   * An interaction was admitted; it is pending from now on. {@code idempotencyKey} and {@code answerSchema} (the
   * request's own) may be null; events recorded before answer schemas existed read as without one, and before delivery
   * terms existed as {@link Delivery#before}, and before answerers existed as answerable by {@link Answerers#ANYONE}.
   *
   * <p>The ledger keeps the pending interaction as this record, updated by the events that follow it ({@link Shown},
   * {@link Extended}): {@code expiresAt} is the deadline as it stands, {@code delivery} says whether it was shown.
   */
  record Requested(
      String interactionId,
      String kind,
      RawJson payload,
      Instant requestedAt,
      Instant expiresAt,
      String idempotencyKey,
      RawJson answerSchema,
      Delivery delivery,
      Quorum quorum,
      Answerers answerers)
      implements SessionEvent {

    public Requested {
      if (answerers == null) {
        answerers = Answerers.ANYONE;
      }
      if (delivery == null) {
        delivery = Delivery.before(expiresAt);
      }
      if (quorum == null) {
        quorum = Quorum.ONE;
      }
      // The journal reads an absent schema back as JSON null (RawJson's null value): no schema either way.
      if (RawJson.NULL.equals(answerSchema)) {
        answerSchema = null;
      }
    }

    /** An interaction without an answer schema or delivery terms of its own. */
    public Requested(
        String interactionId,
        String kind,
        RawJson payload,
        Instant requestedAt,
        Instant expiresAt,
        String idempotencyKey) {
      this(interactionId, kind, payload, requestedAt, expiresAt, idempotencyKey, null, null, null, null);
    }

    /** This pending interaction, first shown on {@code connectionId} at {@code at}. */
    Requested shown(String connectionId, Instant at) {
      return with(expiresAt, delivery.shown(connectionId, at), quorum);
    }

    /** This pending interaction, its deadline moved to {@code newExpiry}. */
    Requested extended(Instant newExpiry) {
      return with(newExpiry, delivery, quorum);
    }

    /** This pending interaction, with one more approval. */
    Requested approved(Approval approval) {
      return with(expiresAt, delivery, quorum.with(approval));
    }

    /** What the events after the request change: the deadline, the delivery, the approvals. */
    private Requested with(Instant newExpiry, Delivery newDelivery, Quorum newQuorum) {
      return new Requested(
          interactionId,
          kind,
          payload,
          requestedAt,
          newExpiry,
          idempotencyKey,
          answerSchema,
          newDelivery,
          newQuorum,
          answerers);
    }

    /** The {@code forbidden} refusal of what {@code device} sent about it ({@code ref}), or null if it may answer it. */
    ServerMessage.Error forbidden(Device device, String ref) {
      return answerers.refusal(interactionId, device, ref);
    }

    /** The interaction as clients see it. */
    public ServerMessage.Interaction view() {
      Instant latest = delivery.latestExpiry();
      return new ServerMessage.Interaction(
          interactionId,
          kind,
          payload,
          requestedAt,
          expiresAt,
          answerSchema,
          latest.isAfter(expiresAt) ? latest : null,
          delivery.shownBy(),
          delivery.shownAt(),
          null);
    }
  }

  /**
   * When and how a pending interaction reaches a person: {@code deliverBy} (null: no delivery deadline) is when it ends
   * as {@code undelivered} unless shown first; {@code latestExpiry} how far extensions may move its deadline;
   * {@code whenNoDevice} what it does while no device is connected; {@code shownBy} and {@code shownAt} the first
   * {@code shown} (null until then).
   */
  record Delivery(
      Instant deliverBy, Instant latestExpiry, WhenNoDevice whenNoDevice, String shownBy, Instant shownAt) {

    /** What an interaction recorded before delivery terms existed does: no delivery deadline, no extension, grace. */
    static Delivery before(Instant expiresAt) {
      return new Delivery(null, expiresAt, WhenNoDevice.GRACE, null, null);
    }

    /** Whether a device has shown it. */
    @JsonIgnore
    public boolean isShown() {
      return shownAt != null;
    }

    Delivery shown(String connectionId, Instant at) {
      return new Delivery(deliverBy, latestExpiry, whenNoDevice, connectionId, at);
    }
  }

  /**
   * How many distinct answerers must approve an interaction ({@code required}; 1 for every interaction recorded before
   * quorums existed), and the approvals it has so far, oldest first.
   */
  record Quorum(int required, List<Approval> given) {

    /** One answer decides: the interaction closes with it. */
    static final Quorum ONE = new Quorum(1, List.of());

    public Quorum {
      given = given == null ? List.of() : List.copyOf(given);
    }

    /** Whether {@code approver} approved already. */
    boolean hasApprovalOf(String approver) {
      return given.stream().anyMatch(approval -> approval.approver().equals(approver));
    }

    Quorum with(Approval approval) {
      List<Approval> more = new ArrayList<>(given);
      more.add(approval);
      return new Quorum(required, more);
    }
  }

  /**
   * One approval of an interaction that needs several: who approved ({@code approver}: the token subject, or the
   * connection with auth off), with which answer, and its audit.
   */
  record Approval(String approver, RawJson value, Audit audit) {}

  /** Pending interaction {@code interactionId} got one more approval, short of its quorum. */
  record Approved(String interactionId, Approval approval) implements SessionEvent {}

  /** Pending interaction {@code interactionId} was first shown on connection {@code connectionId}. */
  record Shown(String interactionId, String connectionId, Instant at) implements SessionEvent {}

  /** Pending interaction {@code interactionId}'s deadline moved out to {@code expiresAt}. */
  record Extended(String interactionId, Instant expiresAt) implements SessionEvent {}

  /**
   * An interaction closed. It repeats what was asked (without the payload) so that the history of closed interactions
   * can be read from these events alone. {@code answer} and {@code answeredBy} are set for {@code answered},
   * {@code reason} may be set for {@code rejected}. {@code audit} says who answered and when it was shown (null when
   * there is nothing to say, and in events recorded before audits existed).
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
      String idempotencyKey,
      Audit audit)
      implements SessionEvent {

    /** The closing of {@code requested} with {@code outcome} at {@code closedAt}, with nobody's answer. */
    public static Closed of(Requested requested, InteractionOutcome outcome, Instant closedAt) {
      return of(requested, outcome, null, closedAt);
    }

    /**
     * The closing of {@code requested} with {@code outcome} at {@code closedAt}; {@code answering} is the device whose
     * answer or rejection it is (verified by the session), or null.
     */
    public static Closed of(Requested requested, InteractionOutcome outcome, Device answering, Instant closedAt) {
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
          requested.idempotencyKey(),
          audit(requested, answering, closedAt));
    }

    /** Who answered (if anyone did) and when it was first shown; null if neither applies. */
    private static Audit audit(Requested requested, Device answering, Instant closedAt) {
      Instant shownAt = requested.delivery().shownAt();
      if (answering == null && shownAt == null) {
        return null;
      }
      Long timeToShow = shownAt == null ? null : Duration.between(requested.requestedAt(), shownAt).toMillis();
      return answering == null
          ? new Audit(null, null, null, null, shownAt, null, timeToShow, null)
          : new Audit(
              answering.subject(),
              answering.connectionId(),
              answering.transport(),
              answering.userAgent(),
              shownAt,
              closedAt,
              timeToShow,
              Duration.between(requested.requestedAt(), closedAt).toMillis());
    }

    /** This closing with {@code replaced} as its audit. */
    Closed withAudit(Audit replaced) {
      return new Closed(
          interactionId, kind, requestedAt, expiresAt, outcome, answer, answeredBy, reason, closedAt, idempotencyKey, replaced);
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
        case UNDELIVERED -> InteractionOutcome.Undelivered.INSTANCE;
      };
    }

    /** The interaction as clients saw it, without its payload. */
    public ServerMessage.Interaction view() {
      return new ServerMessage.Interaction(interactionId, kind, null, requestedAt, expiresAt);
    }
  }
}
