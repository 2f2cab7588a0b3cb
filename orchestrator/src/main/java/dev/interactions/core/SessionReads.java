package dev.interactions.core;

import java.time.Instant;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * What a {@link Session} answers without recording anything: its state, an interaction's status (now, or when it
 * closes), a follower's result, and a repeated request (same idempotency key). A closed interaction's outcome is read
 * through {@link RememberedOutcomes} (from the journal, with a durable store), and the reply goes from where that read
 * completes. Used by its session actor only, from its command handlers.
 */
final class SessionReads {

  private final String sessionId;
  private final SessionRuntime runtime;
  private final RememberedOutcomes outcomes;
  private final Census census;
  private final EffectFactories<SessionEvent, SessionLedger> effects;

  SessionReads(
      String sessionId,
      SessionRuntime runtime,
      RememberedOutcomes outcomes,
      Census census,
      EffectFactories<SessionEvent, SessionLedger> effects) {
    this.sessionId = sessionId;
    this.runtime = runtime;
    this.outcomes = outcomes;
    this.census = census;
    this.effects = effects;
  }

  /** Answers a command that only reads: {@link Session.GetState}, {@link Session.GetInteraction}, {@link Session.FollowInteraction}. */
  ReplyEffect<SessionEvent, SessionLedger> read(SessionLedger ledger, Session.Command command) {
    if (command instanceof Session.GetState get) {
      return effects.reply(get.replyTo(), runtime.state(ledger.pending().values(), get.viewer()));
    } else if (command instanceof Session.GetInteraction get) {
      return status(ledger, get);
    } else if (command instanceof Session.FollowInteraction follow) {
      return follow(ledger, follow);
    }
    throw new IllegalArgumentException("session " + sessionId + ": no handler for " + command.getClass().getName());
  }

  /** Same idempotency key as an interaction this session has: that interaction answers, no second one is made. */
  ReplyEffect<SessionEvent, SessionLedger> repeat(
      SessionLedger ledger, Session.RequestInteraction request, String existingId) {
    SessionEvent.Requested pending = ledger.pending().get(existingId);
    if (pending != null) {
      runtime.follow(existingId, request.requester());
      return effects.reply(
          request.replyTo(), new Session.Admitted(InteractionStatus.pending(sessionId, pending.view()), false));
    }
    // The key was found among what is remembered: its outcome is read (from the journal, with a durable store).
    RememberedOutcome remembered = ledger.remembered(existingId, runtime.rememberedSince(Instant.now()));
    outcomes
        .status(sessionId, remembered)
        .thenAccept(
            lookup -> {
              if (lookup instanceof InteractionStatus status) {
                status.outcome().ifPresent(request.requester()::tell);
                request.replyTo().tell(new Session.Admitted(status, false));
              } else {
                RequestRefused refused =
                    new RequestRefused(Refusal.UNAVAILABLE, ((UnreadableInteraction) lookup).reason());
                census.observer().refused(refused.reason());
                request.requester().tell(refused);
                request.replyTo().tell(refused);
              }
            });
    return effects.noReply(); // answered once the outcome is read
  }

  private ReplyEffect<SessionEvent, SessionLedger> status(SessionLedger ledger, Session.GetInteraction get) {
    String id = get.interactionId();
    SessionEvent.Requested pending = ledger.pending().get(id);
    if (pending != null) {
      if (get.awaitOutcome() && runtime.await(id, get.replyTo())) {
        return effects.noReply(); // the interaction replies when it closes
      }
      return effects.reply(get.replyTo(), InteractionStatus.pending(sessionId, pending.view()));
    }
    RememberedOutcome remembered = ledger.remembered(id, runtime.rememberedSince(Instant.now()));
    if (remembered == null) {
      return effects.reply(get.replyTo(), new UnknownInteraction(sessionId, id));
    }
    outcomes.status(sessionId, remembered).thenAccept(get.replyTo()::tell);
    return effects.noReply(); // answered once the outcome is read
  }

  private ReplyEffect<SessionEvent, SessionLedger> follow(SessionLedger ledger, Session.FollowInteraction follow) {
    String id = follow.interactionId();
    if (ledger.pending().containsKey(id) && runtime.follow(id, follow.follower())) {
      return effects.noReply(); // the interaction tells its outcome
    }
    RememberedOutcome remembered = ledger.remembered(id, runtime.rememberedSince(Instant.now()));
    if (remembered == null) {
      return effects.reply(follow.follower(), new Suspended(sessionId, id)); // not served here now
    }
    outcomes.result(sessionId, remembered).thenAccept(follow.follower()::tell);
    return effects.noReply(); // answered once the outcome is read
  }
}
