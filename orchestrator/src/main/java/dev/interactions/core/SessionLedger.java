package dev.interactions.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.interactions.protocol.Audit;
import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.RawJson;
import dev.interactions.protocol.ServerMessage;
import dev.interactions.protocol.WhenNoDevice;
import dev.interactions.protocol.WireCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A session's recorded state, rebuilt from its events (and snapshots of it): the interactions pending, and a bounded
 * memory of recently closed ones, oldest first, so that late answers and late readers get a precise reply. With a
 * durable store that memory holds only where each outcome is in the journal ({@link RememberedOutcome.InJournal}):
 * what was asked and answered is read back from there, so its size does not depend on the answers.
 *
 * <p>It is changed only by {@link #apply}, the event handler. Remembered outcomes are kept for a retention period:
 * readers pass the instant from which outcomes count as remembered ({@code rememberedSince}, now minus the retention),
 * so an outcome past its retention is forgotten at once for every reader, and it leaves memory when a later event is
 * applied or the session stops. Being a function of the events alone, it gives the same result after a replay.
 *
 * <p>Its maps are mutable and changed in place by the event handler, not copied: a session applies an event per request
 * and per outcome, and copying up to {@code max-pending-per-session} plus {@code closed-retention-max} entries each time
 * would cost more than everything else it does.
 */
public final class SessionLedger implements JournalRecord {

  @JsonProperty("pending")
  private final LinkedHashMap<String, SessionEvent.Requested> pending;

  @JsonProperty("remembered")
  private final LinkedHashMap<String, RememberedOutcome> remembered;

  // Derived state is never serialized (Pekko's Jackson serializes every field by default): a snapshot holds only the
  // two maps, and the rest is rebuilt from them by the creator.
  @JsonIgnore private final Map<String, SessionEvent.Requested> pendingView;

  /** Idempotency key to interaction id, for pending and remembered interactions. */
  @JsonIgnore private final Map<String, String> idempotencyKeys = new HashMap<>();

  /** When the most recent remembered outcome closed, or null. */
  @JsonIgnore private Instant newestClosedAt;

  /** An empty ledger. */
  public SessionLedger() {
    this(new LinkedHashMap<>(), new LinkedHashMap<>(), null);
  }

  /**
   * A ledger read back from a snapshot. Snapshots written before outcomes could be left in the journal hold whole
   * closing events under {@code closed}: those stay in memory until they are forgotten.
   */
  @JsonCreator
  SessionLedger(
      @JsonProperty("pending") LinkedHashMap<String, SessionEvent.Requested> pending,
      @JsonProperty("remembered") LinkedHashMap<String, RememberedOutcome> remembered,
      @JsonProperty("closed") LinkedHashMap<String, SessionEvent.Closed> legacyClosed) {
    this.pending = pending == null ? new LinkedHashMap<>() : pending;
    this.remembered = remembered == null ? new LinkedHashMap<>() : remembered;
    if (legacyClosed != null) {
      legacyClosed.forEach((id, closing) -> this.remembered.put(id, new RememberedOutcome.Kept(closing)));
    }
    this.pendingView = Collections.unmodifiableMap(this.pending);
    this.pending.values().forEach(p -> indexKey(p.idempotencyKey(), p.interactionId()));
    this.remembered.values().forEach(c -> {
      indexKey(c.idempotencyKey(), c.interactionId());
      noteClosedAt(c.closedAt());
    });
  }

  /**
   * A copy for a snapshot: the snapshot store serializes it later, on its own thread, while this ledger goes on
   * changing in place; the copy shares only immutable entries.
   */
  SessionLedger forSnapshot() {
    return new SessionLedger(new LinkedHashMap<>(pending), new LinkedHashMap<>(remembered), null);
  }

  /** Pending interactions by id, in request order. */
  public Map<String, SessionEvent.Requested> pending() {
    return pendingView;
  }

  /** How interaction {@code interactionId} closed, if it closed at or after {@code rememberedSince}; else null. */
  public RememberedOutcome remembered(String interactionId, Instant rememberedSince) {
    RememberedOutcome outcome = remembered.get(interactionId);
    return outcome == null || outcome.closedAt().isBefore(rememberedSince) ? null : outcome;
  }

  /** The interaction that {@code key} named, pending or remembered since {@code rememberedSince}, or null. */
  public String interactionForKey(String key, Instant rememberedSince) {
    String interactionId = key == null ? null : idempotencyKeys.get(key);
    if (interactionId == null || pending.containsKey(interactionId)) {
      return interactionId;
    }
    return remembered(interactionId, rememberedSince) == null ? null : interactionId;
  }

  /** The receipt of an answer or rejection ({@code ref}) for an interaction that is not pending. */
  public ServerMessage.Receipt lateReceipt(
      String sessionId, String interactionId, String ref, Instant rememberedSince) {
    RememberedOutcome outcome = remembered(interactionId, rememberedSince);
    return outcome != null
        ? Interaction.alreadyClosed(interactionId, outcome.outcome(), ref)
        : new ServerMessage.Error(
            ErrorCode.UNKNOWN_INTERACTION,
            "no interaction " + interactionId + " in session " + sessionId,
            interactionId,
            ref);
  }

  /** Whether nothing is pending and no outcome is remembered since {@code rememberedSince}. */
  public boolean holdsNothing(Instant rememberedSince) {
    return pending.isEmpty() && (newestClosedAt == null || newestClosedAt.isBefore(rememberedSince));
  }

  /** When the most recent remembered outcome closed, or null if none is remembered. */
  public Instant newestClosedAt() {
    return newestClosedAt;
  }

  /** What a request comes to, decided from the ledger alone: see {@link #decideRequest}. */
  public sealed interface RequestDecision {}

  /** The request's idempotency key names an interaction this session already has: that one answers. */
  public record Repeat(String interactionId) implements RequestDecision {}

  /** The request is refused; nothing is recorded. */
  public record Refuse(RequestRefused refusal) implements RequestDecision {}

  /** The request is admitted once this event is recorded. */
  public record Record(SessionEvent.Requested event) implements RequestDecision {}

  /**
   * Decides a request for interaction {@code interactionId} of session {@code sessionId}, at {@code now}: a repeat of an
   * interaction with the same idempotency key (pending, or remembered since {@code rememberedSince}), a refusal (the id
   * exists, or {@code maxPending} are pending), or the event to record.
   */
  public RequestDecision decideRequest(
      String sessionId,
      String interactionId,
      InteractionRequest request,
      Duration timeout,
      WhenNoDevice whenNoDevice,
      int maxPending,
      Instant now,
      Instant rememberedSince) {
    String key = request.idempotencyKey().orElse(null);
    String existing = interactionForKey(key, rememberedSince);
    if (existing != null) {
      return new Repeat(existing);
    }
    if (pending.containsKey(interactionId) || remembered.containsKey(interactionId)) {
      return new Refuse(
          new RequestRefused(Refusal.DUPLICATE_ID, "interaction " + interactionId + " already exists"));
    }
    if (pending.size() >= maxPending) {
      return new Refuse(
          new RequestRefused(
              Refusal.PENDING_LIMIT,
              "session " + sessionId + " already has " + pending.size() + " pending interactions"));
    }
    Instant expiresAt = now.plus(timeout);
    Duration latest = request.delivery().latest(timeout);
    return new Record(
        new SessionEvent.Requested(
            interactionId,
            request.kind(),
            request.payload(),
            now,
            expiresAt,
            key,
            request.answerSchema().orElse(null),
            new SessionEvent.Delivery(
                request.delivery().deliveryTimeout().map(now::plus).orElse(null),
                latest.equals(timeout) ? expiresAt : now.plus(latest), // one object per pending interaction, not two
                whenNoDevice,
                null,
                null),
            request.approvalsRequired() == 1
                ? SessionEvent.Quorum.ONE
                : new SessionEvent.Quorum(request.approvalsRequired(), List.of()),
            request.answerers()));
  }

  /** The event that records {@code connectionId} showing {@code interactionId} first, if it is pending and unseen. */
  public Optional<SessionEvent.Shown> decideShown(String interactionId, String connectionId, Instant now) {
    SessionEvent.Requested requested = pending.get(interactionId);
    return requested == null || requested.delivery().isShown()
        ? Optional.empty()
        : Optional.of(new SessionEvent.Shown(interactionId, connectionId, now));
  }

  /**
   * Less than this is not worth a journal write: a device sending ever so slightly longer extensions would otherwise
   * cost a write and a frame to every connection each time.
   */
  static final Duration SMALLEST_EXTENSION = Duration.ofSeconds(1);

  /**
   * The event that moves {@code interactionId}'s deadline to at least {@code by} from {@code now}, never beyond its
   * latest expiry; empty if it is not pending or its deadline would move by less than {@link #SMALLEST_EXTENSION}
   * (unless that reaches the latest expiry).
   */
  public Optional<SessionEvent.Extended> decideExtend(String interactionId, Duration by, Instant now) {
    SessionEvent.Requested requested = pending.get(interactionId);
    if (requested == null) {
      return Optional.empty();
    }
    Instant wanted = now.plus(by);
    Instant latest = requested.delivery().latestExpiry();
    Instant moved = wanted.isAfter(latest) ? latest : wanted;
    boolean worthIt =
        moved.equals(latest) ? moved.isAfter(requested.expiresAt())
            : !moved.isBefore(requested.expiresAt().plus(SMALLEST_EXTENSION));
    return worthIt ? Optional.of(new SessionEvent.Extended(interactionId, moved)) : Optional.empty();
  }

  /**
   * The event that closes {@code interactionId} as expired at {@code now}, if it is pending and its deadline, as it
   * stands (an extension may have moved it), has passed.
   */
  public Optional<SessionEvent.Closed> decideExpire(String interactionId, Instant now) {
    SessionEvent.Requested requested = pending.get(interactionId);
    return requested == null || now.isBefore(requested.expiresAt())
        ? Optional.empty()
        : Optional.of(SessionEvent.Closed.of(requested, InteractionOutcome.Expired.INSTANCE, now));
  }

  /** The event that closes {@code interactionId} as undelivered at {@code now}, if it is pending and was never shown. */
  public Optional<SessionEvent.Closed> decideUndelivered(String interactionId, Instant now) {
    SessionEvent.Requested requested = pending.get(interactionId);
    return requested == null || requested.delivery().isShown()
        ? Optional.empty()
        : Optional.of(SessionEvent.Closed.of(requested, InteractionOutcome.Undelivered.INSTANCE, now));
  }

  /**
   * The events that close, as {@code disconnected} at {@code now}, every pending interaction that does not wait for a
   * device ({@link WhenNoDevice#GRACE}, {@link WhenNoDevice#FAIL}), oldest first.
   */
  public List<SessionEvent.Closed> decideDisconnected(Instant now) {
    List<SessionEvent.Closed> closings = new ArrayList<>();
    pending.values().forEach(requested -> {
      if (requested.delivery().whenNoDevice() != WhenNoDevice.WAIT) {
        closings.add(SessionEvent.Closed.of(requested, InteractionOutcome.Disconnected.INSTANCE, now));
      }
    });
    return closings;
  }

  /** How many pending interactions end when no device reconnects within the grace ({@link #decideDisconnected}). */
  public int pendingWithGrace() {
    int count = 0;
    for (SessionEvent.Requested requested : pending.values()) {
      if (requested.delivery().whenNoDevice() != WhenNoDevice.WAIT) {
        count++;
      }
    }
    return count;
  }

  /** The event that closes {@code interactionId} with {@code outcome} at {@code now}, if it is still pending. */
  public Optional<SessionEvent.Closed> decideClose(String interactionId, InteractionOutcome outcome, Instant now) {
    return decideClose(interactionId, outcome, null, now);
  }

  /** What an answer to an interaction that needs several approvals comes to: see {@link #decideApproval}. */
  public sealed interface ApprovalDecision {}

  /** One more approval, short of the quorum: record it. */
  public record Approve(SessionEvent.Approved event, int approvals, int required) implements ApprovalDecision {}

  /** The approval that completes the quorum: the interaction closes as answered, with every approval. */
  public record Complete(SessionEvent.Closed event) implements ApprovalDecision {}

  /** This approver approved already: nothing changes. */
  public record AlreadyApproved() implements ApprovalDecision {}

  /**
   * Decides {@code answering}'s answer {@code answer} to pending {@code interactionId}, which needs several approvals:
   * approvers are told apart by their token subject, or their connection with auth off. The quorum's last approval
   * closes it as answered: its value is the array of every approval's value, oldest first, and its audit lists each.
   */
  public ApprovalDecision decideApproval(
      String interactionId, InteractionOutcome.Answered answer, Device answering, Instant now) {
    SessionEvent.Requested requested = pending.get(interactionId);
    String approver = answering.subject() != null ? answering.subject() : answering.connectionId();
    SessionEvent.Quorum quorum = requested.quorum();
    if (quorum.hasApprovalOf(approver)) {
      return new AlreadyApproved();
    }
    SessionEvent.Closed alone = SessionEvent.Closed.of(requested, answer, answering, now);
    SessionEvent.Approval approval = new SessionEvent.Approval(approver, answer.value(), alone.audit());
    if (quorum.given().size() + 1 < quorum.required()) {
      return new Approve(
          new SessionEvent.Approved(interactionId, approval), quorum.given().size() + 1, quorum.required());
    }
    List<SessionEvent.Approval> all = new ArrayList<>(quorum.given());
    all.add(approval);
    ArrayNode values = WireCodec.mapper().createArrayNode();
    List<Audit> audits = new ArrayList<>();
    for (SessionEvent.Approval each : all) {
      values.add(each.value().tree());
      audits.add(each.audit());
    }
    InteractionOutcome.Answered together = new InteractionOutcome.Answered(RawJson.of(values), answering.connectionId());
    SessionEvent.Closed closed = SessionEvent.Closed.of(requested, together, answering, now);
    return new Complete(closed.withAudit(closed.audit().withApprovals(audits)));
  }

  /**
   * The event that closes {@code interactionId} with the answer or rejection of {@code answering} (a device the session
   * verified; null for nobody's) at {@code now}, if it is still pending.
   */
  public Optional<SessionEvent.Closed> decideClose(
      String interactionId, InteractionOutcome outcome, Device answering, Instant now) {
    return Optional.ofNullable(pending.get(interactionId))
        .map(requested -> SessionEvent.Closed.of(requested, outcome, answering, now));
  }

  /** The events that close every pending interaction with {@code outcome} at {@code now}, oldest first. */
  public List<SessionEvent.Closed> decideCloseAll(InteractionOutcome outcome, Instant now) {
    List<SessionEvent.Closed> closings = new ArrayList<>(pending.size());
    pending.values().forEach(requested -> closings.add(SessionEvent.Closed.of(requested, outcome, now)));
    return closings;
  }

  /**
   * How closed interactions are remembered: for {@code retention} (not at all if it is zero), at most {@code atMost} of
   * them, {@code inJournal} (only where the journal has them) or kept whole.
   */
  public record Remembering(int atMost, Duration retention, boolean inJournal) {}

  /**
   * Applies {@code event}, the session's journal entry {@code sequenceNr}. A closed interaction is remembered as
   * {@code remembering} says; outcomes past their retention, as of the event's own time, are forgotten here.
   */
  SessionLedger apply(SessionEvent event, long sequenceNr, Remembering remembering) {
    Duration retention = remembering.retention();
    if (event instanceof SessionEvent.Requested requested) {
      pending.put(requested.interactionId(), requested);
      indexKey(requested.idempotencyKey(), requested.interactionId());
      forgetClosedBefore(requested.requestedAt().minus(retention));
    } else if (event instanceof SessionEvent.Closed closing) {
      pending.remove(closing.interactionId());
      if (remembering.atMost() > 0 && !retention.isZero()) {
        remembered.put(closing.interactionId(), remembering.inJournal() ? inJournal(closing, sequenceNr) : new RememberedOutcome.Kept(closing));
        noteClosedAt(closing.closedAt());
        if (remembered.size() > remembering.atMost()) {
          Iterator<RememberedOutcome> oldest = remembered.values().iterator();
          forget(oldest, oldest.next());
        }
      } else {
        forgetKey(closing.idempotencyKey(), closing.interactionId());
      }
      forgetClosedBefore(closing.closedAt().minus(retention));
    } else if (event instanceof SessionEvent.Shown shown) {
      pending.computeIfPresent(shown.interactionId(), (id, requested) -> requested.shown(shown.connectionId(), shown.at()));
    } else if (event instanceof SessionEvent.Approved approved) {
      // Idempotent: an approval applied twice (a replay over a snapshot that already held it) still counts once.
      pending.computeIfPresent(
          approved.interactionId(),
          (id, requested) ->
              requested.quorum().hasApprovalOf(approved.approval().approver())
                  ? requested
                  : requested.approved(approved.approval()));
    } else if (event instanceof SessionEvent.Extended extended) {
      pending.computeIfPresent(extended.interactionId(), (id, requested) -> requested.extended(extended.expiresAt()));
    }
    return this;
  }

  private static RememberedOutcome inJournal(SessionEvent.Closed closing, long sequenceNr) {
    return new RememberedOutcome.InJournal(
        closing.interactionId(), closing.idempotencyKey(), closing.outcome(), closing.closedAt(), sequenceNr);
  }

  /** Forgets remembered outcomes that closed before {@code cutoff}; they are in close order, oldest first. */
  private void forgetClosedBefore(Instant cutoff) {
    Iterator<RememberedOutcome> oldestFirst = remembered.values().iterator();
    while (oldestFirst.hasNext()) {
      RememberedOutcome oldest = oldestFirst.next();
      if (!oldest.closedAt().isBefore(cutoff)) {
        return;
      }
      forget(oldestFirst, oldest);
    }
  }

  /** Removes {@code outcome}, the one {@code at} just returned. */
  private void forget(Iterator<RememberedOutcome> at, RememberedOutcome outcome) {
    at.remove();
    forgetKey(outcome.idempotencyKey(), outcome.interactionId());
    if (remembered.isEmpty()) {
      newestClosedAt = null;
    }
  }

  private void noteClosedAt(Instant closedAt) {
    if (newestClosedAt == null || closedAt.isAfter(newestClosedAt)) {
      newestClosedAt = closedAt;
    }
  }

  private void indexKey(String key, String interactionId) {
    if (key != null) {
      idempotencyKeys.put(key, interactionId);
    }
  }

  /** Forgets {@code key} if it still names {@code interactionId}: a later request may have reused it. */
  private void forgetKey(String key, String interactionId) {
    if (key != null) {
      idempotencyKeys.remove(key, interactionId);
    }
  }
}
