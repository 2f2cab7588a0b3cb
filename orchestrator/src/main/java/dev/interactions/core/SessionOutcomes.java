package dev.interactions.core;

import dev.interactions.protocol.ServerMessage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * How a {@link Session} records the ends of its interactions, and what devices report about them: answers and
 * rejections (checked against the answer schema), {@code shown}, {@code extend}, and the deadlines' timers. Each
 * decision is the ledger's (plain Java); this records what it returns and then tells everyone. Used by its session
 * actor only, from its command handlers.
 */
final class SessionOutcomes {

  private final String sessionId;
  private final SessionRuntime runtime;
  private final EffectFactories<SessionEvent, SessionLedger> effects;

  SessionOutcomes(String sessionId, SessionRuntime runtime, EffectFactories<SessionEvent, SessionLedger> effects) {
    this.sessionId = sessionId;
    this.runtime = runtime;
    this.effects = effects;
  }

  /**
   * An answer or rejection: checked against the answer schema, audited as the device the session verified (an answer's
   * {@code answeredBy} is that device's connection, never one it only claimed), recorded, acknowledged.
   */
  ReplyEffect<SessionEvent, SessionLedger> respond(SessionLedger ledger, Session.Respond respond) {
    String id = respond.interactionId();
    ActorRef<Attachment.Command> attachment = respond.receiptWithFrames() ? runtime.attachment(respond.connectionId()) : null;
    Device answering = runtime.answering(respond.device());
    InteractionOutcome.Response response =
        respond.response() instanceof InteractionOutcome.Answered answered
            ? new InteractionOutcome.Answered(answered.value(), answering.connectionId())
            : respond.response();
    SessionEvent.Requested pending = ledger.pending().get(id);
    if (pending == null) {
      return receipt(respond.replyTo(), attachment, ledger.lateReceipt(sessionId, id, respond.ref(), runtime.rememberedSince(Instant.now())));
    }
    ServerMessage.Error forbidden = pending.forbidden(answering, respond.ref());
    if (forbidden != null) {
      return receipt(respond.replyTo(), attachment, forbidden);
    }
    ServerMessage.Error invalid = runtime.invalidAnswer(pending, response, respond.ref());
    if (invalid != null) {
      return receipt(respond.replyTo(), attachment, invalid); // still pending; nobody else hears of it
    }
    if (response instanceof InteractionOutcome.Answered answer && pending.quorum().required() > 1) {
      return approve(ledger, respond, attachment, answer, answering);
    }
    // The answering client gets its ack before anyone hears "closed".
    ServerMessage.Ack ack = new ServerMessage.Ack(id, respond.ref());
    SessionEvent.Closed closed = ledger.decideClose(id, response, answering, Instant.now()).orElseThrow(); // pending
    EffectBuilder<SessionEvent, SessionLedger> closing = closeAll(List.of(closed), attachment, ack);
    return attachment != null ? closing.thenNoReply() : closing.thenReply(respond.replyTo(), after -> ack);
  }

  /**
   * An answer to an interaction that needs several approvals: recorded as one approval (every connection hears the
   * progress), or, as the last one, closing it; a second approval of the same approver changes nothing. A rejection
   * closes it at once, as for any interaction (see {@link #respond}).
   */
  private ReplyEffect<SessionEvent, SessionLedger> approve(
      SessionLedger ledger,
      Session.Respond respond,
      ActorRef<Attachment.Command> attachment,
      InteractionOutcome.Answered answer,
      Device answering) {
    String id = respond.interactionId();
    ServerMessage.Ack ack = new ServerMessage.Ack(id, respond.ref());
    SessionLedger.ApprovalDecision decision = ledger.decideApproval(id, answer, answering, Instant.now());
    EffectBuilder<SessionEvent, SessionLedger> recording;
    if (decision instanceof SessionLedger.Complete complete) {
      recording = closeAll(List.of(complete.event()), attachment, ack);
    } else if (decision instanceof SessionLedger.Approve approve) {
      recording =
          effects
              .persist(approve.event())
              .thenRun(
                  after -> {
                    if (attachment != null) {
                      attachment.tell(new Attachment.Frame(ack));
                    }
                    runtime.approved(id, approve.approvals(), approve.required());
                  });
    } else {
      return receipt(respond.replyTo(), attachment, ack); // approved before: nothing changes
    }
    return attachment != null ? recording.thenNoReply() : recording.thenReply(respond.replyTo(), after -> ack);
  }

  /** A receipt that records nothing, to the sending connection's attachment if it goes with the frames. */
  private ReplyEffect<SessionEvent, SessionLedger> receipt(
      ActorRef<ServerMessage.Receipt> replyTo, ActorRef<Attachment.Command> attachment, ServerMessage.Receipt receipt) {
    if (attachment != null) {
      attachment.tell(new Attachment.Frame(receipt));
      return effects.noReply();
    }
    return effects.reply(replyTo, receipt);
  }

  /** Records that {@code id} closed with {@code outcome}, if it is still pending. */
  ReplyEffect<SessionEvent, SessionLedger> close(SessionLedger ledger, String id, InteractionOutcome outcome) {
    return closing(ledger.decideClose(id, outcome, Instant.now()));
  }

  /** Records {@code closing}, if there is one. */
  ReplyEffect<SessionEvent, SessionLedger> closing(Optional<SessionEvent.Closed> closing) {
    return closing.map(closed -> closeAll(List.of(closed), null, null).thenNoReply()).orElseGet(() -> effects.noReply());
  }

  /**
   * A deadline timer fired. One that fired before the deadline as it now stands (an extension overtook it, or the wall
   * clock moved) is set again for what remains, so every pending interaction still expires.
   */
  ReplyEffect<SessionEvent, SessionLedger> expire(SessionLedger ledger, String id) {
    Instant now = Instant.now();
    Optional<SessionEvent.Closed> expired = ledger.decideExpire(id, now);
    SessionEvent.Requested pending = ledger.pending().get(id);
    if (expired.isEmpty() && pending != null) {
      runtime.reschedule(pending, now);
    }
    return closing(expired);
  }

  ReplyEffect<SessionEvent, SessionLedger> shown(SessionLedger ledger, Session.Shown shown) {
    String id = shown.interactionId();
    // Recorded as the connection the session verified, never one an HTTP body only claimed.
    Device showing = runtime.answering(shown.device());
    ActorRef<Attachment.Command> attachment = shown.receiptWithFrames() ? runtime.attachment(shown.connectionId()) : null;
    SessionEvent.Requested pending = ledger.pending().get(id);
    ServerMessage.Error forbidden = pending == null ? null : pending.forbidden(showing, null);
    if (forbidden != null) {
      // On the screen of someone who may not answer it, it has not reached a person who can.
      return receipt(shown.replyTo(), attachment, forbidden);
    }
    Optional<SessionEvent.Shown> first = ledger.decideShown(id, showing.connectionId(), Instant.now());
    ServerMessage.Ack ack = new ServerMessage.Ack(id, null);
    if (first.isPresent()) {
      EffectBuilder<SessionEvent, SessionLedger> recording =
          effects.persist(first.get()).thenRun(after -> runtime.shown(after.pending().get(id)));
      return shown.receiptWithFrames() ? recording.thenNoReply() : recording.thenReply(shown.replyTo(), after -> ack);
    }
    Instant rememberedSince = runtime.rememberedSince(Instant.now());
    if (ledger.pending().containsKey(id) || ledger.remembered(id, rememberedSince) != null) {
      // Shown before, or closed meanwhile: a connection hears "shown" and "closed" anyway; an HTTP device its ack.
      return shown.receiptWithFrames() ? effects.noReply() : effects.reply(shown.replyTo(), ack);
    }
    return receipt(shown.replyTo(), attachment, ledger.lateReceipt(sessionId, id, null, rememberedSince));
  }

  ReplyEffect<SessionEvent, SessionLedger> extend(SessionLedger ledger, Session.Extend extend) {
    String id = extend.interactionId();
    ActorRef<Attachment.Command> attachment = extend.receiptWithFrames() ? runtime.attachment(extend.connectionId()) : null;
    SessionEvent.Requested pending = ledger.pending().get(id);
    if (pending == null) {
      return receipt(extend.replyTo(), attachment, ledger.lateReceipt(sessionId, id, extend.ref(), runtime.rememberedSince(Instant.now())));
    }
    ServerMessage.Error forbidden = pending.forbidden(runtime.answering(extend.device()), extend.ref());
    if (forbidden != null) {
      return receipt(extend.replyTo(), attachment, forbidden);
    }
    ServerMessage.Ack ack = new ServerMessage.Ack(id, extend.ref());
    Optional<SessionEvent.Extended> moved = ledger.decideExtend(id, extend.by(), Instant.now());
    if (moved.isEmpty()) {
      return receipt(extend.replyTo(), attachment, ack); // at its latest already
    }
    EffectBuilder<SessionEvent, SessionLedger> extending =
        effects
            .persist(moved.get())
            .thenRun(
                after -> {
                  if (attachment != null) {
                    attachment.tell(new Attachment.Frame(ack));
                  }
                  runtime.extended(after.pending().get(id));
                });
    return attachment != null ? extending.thenNoReply() : extending.thenReply(extend.replyTo(), after -> ack);
  }

  /**
   * Records {@code closings}; then {@code receipt} goes to {@code attachment} (if any), connections hear {@code closed},
   * and each interaction delivers its outcome and stops.
   */
  EffectBuilder<SessionEvent, SessionLedger> closeAll(
      List<SessionEvent.Closed> closings, ActorRef<Attachment.Command> attachment, ServerMessage.Receipt receipt) {
    long issued = System.nanoTime();
    return effects
        .persist(List.<SessionEvent>copyOf(closings))
        .thenRun(
            after -> {
              runtime.journalWritten(issued);
              if (attachment != null) {
                attachment.tell(new Attachment.Frame(receipt));
              }
              closings.forEach(runtime::announce);
              runtime.rememberOutcomes(after);
              runtime.afterChange(after);
            });
  }
}
