package dev.interactions.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A session's recorded state, rebuilt from its events (and snapshots of it): the interactions pending, and a bounded
 * memory of recently closed ones, oldest first, so that late answers and late readers get a precise reply.
 *
 * <p>It is changed only by {@link #apply} (the event handler) and by {@link #forgetClosedBefore}, which drops remembered
 * outcomes past their retention: a pure function of time that gives the same result after a replay.
 */
public final class SessionLedger implements JournalRecord {

  private final LinkedHashMap<String, SessionEvent.Requested> pending;
  private final LinkedHashMap<String, SessionEvent.Closed> closed;
  /** Idempotency key to interaction id, for pending and remembered interactions; derived, never serialized. */
  private final Map<String, String> idempotencyKeys = new HashMap<>();

  /** An empty ledger. */
  public SessionLedger() {
    this(new LinkedHashMap<>(), new LinkedHashMap<>());
  }

  @JsonCreator
  SessionLedger(
      @JsonProperty("pending") LinkedHashMap<String, SessionEvent.Requested> pending,
      @JsonProperty("closed") LinkedHashMap<String, SessionEvent.Closed> closed) {
    this.pending = pending == null ? new LinkedHashMap<>() : pending;
    this.closed = closed == null ? new LinkedHashMap<>() : closed;
    this.pending.values().forEach(p -> indexKey(p.idempotencyKey(), p.interactionId()));
    this.closed.values().forEach(c -> indexKey(c.idempotencyKey(), c.interactionId()));
  }

  /** Pending interactions by id, in request order. */
  @JsonProperty("pending")
  public Map<String, SessionEvent.Requested> pending() {
    return pending;
  }

  /** Remembered closed interactions by id, oldest first. */
  @JsonProperty("closed")
  public Map<String, SessionEvent.Closed> closed() {
    return closed;
  }

  /** The interaction that {@code key} named, pending or remembered, or null. */
  public String interactionForKey(String key) {
    return key == null ? null : idempotencyKeys.get(key);
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
   * interaction with the same idempotency key, a refusal (the id exists, or {@code maxPending} are pending), or the
   * event to record.
   */
  public RequestDecision decideRequest(
      String sessionId,
      String interactionId,
      InteractionRequest request,
      Duration timeout,
      int maxPending,
      Instant now) {
    String key = request.idempotencyKey().orElse(null);
    String existing = interactionForKey(key);
    if (existing != null) {
      return new Repeat(existing);
    }
    if (pending.containsKey(interactionId) || closed.containsKey(interactionId)) {
      return new Refuse(
          new RequestRefused(Refusal.DUPLICATE_ID, "interaction " + interactionId + " already exists"));
    }
    if (pending.size() >= maxPending) {
      return new Refuse(
          new RequestRefused(
              Refusal.PENDING_LIMIT,
              "session " + sessionId + " already has " + pending.size() + " pending interactions"));
    }
    return new Record(
        new SessionEvent.Requested(
            interactionId, request.kind(), request.payload(), now, now.plus(timeout), key));
  }

  /** The event that closes {@code interactionId} with {@code outcome} at {@code now}, if it is still pending. */
  public Optional<SessionEvent.Closed> decideClose(String interactionId, InteractionOutcome outcome, Instant now) {
    return Optional.ofNullable(pending.get(interactionId)).map(requested -> SessionEvent.Closed.of(requested, outcome, now));
  }

  /** The events that close every pending interaction with {@code outcome} at {@code now}, oldest first. */
  public List<SessionEvent.Closed> decideCloseAll(InteractionOutcome outcome, Instant now) {
    List<SessionEvent.Closed> closings = new ArrayList<>(pending.size());
    pending.values().forEach(requested -> closings.add(SessionEvent.Closed.of(requested, outcome, now)));
    return closings;
  }

  /** Whether nothing is pending and nothing is remembered. */
  public boolean isEmpty() {
    return pending.isEmpty() && closed.isEmpty();
  }

  /**
   * Applies {@code event}. A closed interaction is remembered unless {@code rememberAtMost} is 0; past that many, the
   * oldest is forgotten.
   */
  SessionLedger apply(SessionEvent event, int rememberAtMost) {
    if (event instanceof SessionEvent.Requested requested) {
      pending.put(requested.interactionId(), requested);
      indexKey(requested.idempotencyKey(), requested.interactionId());
    } else if (event instanceof SessionEvent.Closed closing) {
      pending.remove(closing.interactionId());
      if (rememberAtMost > 0) {
        closed.put(closing.interactionId(), closing);
        if (closed.size() > rememberAtMost) {
          Iterator<SessionEvent.Closed> oldest = closed.values().iterator();
          forgetKey(oldest.next().idempotencyKey());
          oldest.remove();
        }
      } else {
        forgetKey(closing.idempotencyKey());
      }
    }
    return this;
  }

  /** Forgets remembered outcomes that closed before {@code cutoff}. */
  void forgetClosedBefore(Instant cutoff) {
    Iterator<SessionEvent.Closed> oldestFirst = closed.values().iterator();
    while (oldestFirst.hasNext()) {
      SessionEvent.Closed oldest = oldestFirst.next();
      if (!oldest.closedAt().isBefore(cutoff)) {
        break;
      }
      oldestFirst.remove();
      forgetKey(oldest.idempotencyKey());
    }
  }

  /** Forgets every remembered outcome. */
  void forgetClosed() {
    closed.values().forEach(c -> forgetKey(c.idempotencyKey()));
    closed.clear();
  }

  /** When the oldest remembered outcome closed, or null if none is remembered. */
  Instant oldestClosedAt() {
    Iterator<SessionEvent.Closed> oldest = closed.values().iterator();
    return oldest.hasNext() ? oldest.next().closedAt() : null;
  }

  private void indexKey(String key, String interactionId) {
    if (key != null) {
      idempotencyKeys.put(key, interactionId);
    }
  }

  private void forgetKey(String key) {
    if (key != null) {
      idempotencyKeys.remove(key);
    }
  }
}
