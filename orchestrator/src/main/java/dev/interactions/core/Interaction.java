package dev.interactions.core;

import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.ServerMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One pending interaction, a child of its {@link Session}. It is the only place where the requester is completed, so
 * every path (answer, rejection, cancel, deadline, disconnect, shutdown, requester gone, actor stopped) passes through one
 * mailbox and the requester hears exactly one outcome.
 *
 * <p>Once it has its outcome it tells its session and waits for the session's {@link Stop}: answers the session forwarded
 * in the meantime are still in its mailbox and each gets a proper {@code already_closed} reply instead of vanishing.
 * Long-polling readers ({@link Await}) wait here too; they are watched, so a reader that gave up is forgotten at once.
 */
public final class Interaction {

  /** Messages an interaction understands. */
  public sealed interface Command {}

  /** A client's answer or rejection; the reply ({@code ack} or {@code error}) goes to {@code replyTo}. */
  public record Settle(InteractionOutcome.Response response, String ref, ActorRef<ServerMessage.Receipt> replyTo)
      implements Command {}

  /** Ends the interaction with {@code outcome} (cancelled, disconnected, shutdown) unless it already ended. */
  public record Close(InteractionOutcome outcome) implements Command {}

  /**
   * Replies to {@code replyTo} with the closed status as soon as there is an outcome (at once if there is one already).
   * Past {@code orchestrator.interaction.max-waiters} readers, it replies with the pending status at once instead.
   */
  public record Await(ActorRef<InteractionLookup> replyTo) implements Command {}

  /**
   * Sends the outcome to {@code follower} too: a second requester of the same interaction (same idempotency key). Unlike
   * the first requester, a follower that stops does not cancel the interaction.
   */
  public record Follow(ActorRef<RequestResult> follower) implements Command {}

  /** From the session, once it has recorded the outcome. */
  public enum Stop implements Command {
    INSTANCE
  }

  private enum DeadlinePassed implements Command {
    INSTANCE
  }

  private enum RequesterStopped implements Command {
    INSTANCE
  }

  private record WaiterGone(ActorRef<?> waiter) implements Command {}

  /**
   * @param sessionId the session it belongs to
   * @param view the interaction as clients see it
   * @param timeout time until it expires
   * @param maxWaiters long-polling readers it holds at most
   * @param requester who receives the outcome; watched: if it stops, the interaction is cancelled
   * @param session the parent session, told of the outcome
   */
  public static Behavior<Command> create(
      String sessionId,
      ServerMessage.Interaction view,
      Duration timeout,
      int maxWaiters,
      ActorRef<RequestResult> requester,
      ActorRef<Session.Command> session) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  context.watchWith(requester, RequesterStopped.INSTANCE);
                  timers.startSingleTimer(DeadlinePassed.INSTANCE, timeout);
                  return new Interaction(context, timers, sessionId, view, maxWaiters, requester, session).pending();
                }));
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final String sessionId;
  private final ServerMessage.Interaction view;
  private final int maxWaiters;
  private final ActorRef<RequestResult> requester;
  private final ActorRef<Session.Command> session;
  private final Census census;
  /** Long-polling readers; allocated on the first one, since most interactions never have any. */
  private List<ActorRef<InteractionLookup>> waiters;
  /** Further requesters of the same interaction; allocated on the first one. */
  private List<ActorRef<RequestResult>> followers;

  private Interaction(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      String sessionId,
      ServerMessage.Interaction view,
      int maxWaiters,
      ActorRef<RequestResult> requester,
      ActorRef<Session.Command> session) {
    this.context = context;
    this.timers = timers;
    this.sessionId = sessionId;
    this.view = view;
    this.maxWaiters = maxWaiters;
    this.requester = requester;
    this.session = session;
    this.census = Census.get(context.getSystem());
    census.interactionStarted();
  }

  private Behavior<Command> pending() {
    return Behaviors.receive(Command.class)
        .onMessage(Settle.class, this::onSettle)
        .onMessage(Close.class, close -> complete(close.outcome()))
        .onMessage(Await.class, this::onAwaitWhilePending)
        .onMessage(Follow.class, this::onFollowWhilePending)
        .onMessage(WaiterGone.class, gone -> forgetWaiter(gone.waiter()))
        .onMessageEquals(DeadlinePassed.INSTANCE, () -> complete(InteractionOutcome.Expired.INSTANCE))
        .onMessageEquals(RequesterStopped.INSTANCE, () -> complete(InteractionOutcome.Cancelled.INSTANCE))
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onSignal(PostStop.class, signal -> stoppedWhilePending())
        .build();
  }

  private Behavior<Command> onSettle(Settle settle) {
    // Acknowledge before the session hears of the outcome, so the answering client gets its ack before "closed".
    settle.replyTo().tell(new ServerMessage.Ack(view.id(), settle.ref()));
    return complete(settle.response());
  }

  private Behavior<Command> onAwaitWhilePending(Await await) {
    if (waiters != null && waiters.contains(await.replyTo())) {
      return Behaviors.same();
    }
    if (waiterCount() >= maxWaiters) {
      await.replyTo().tell(InteractionStatus.pending(sessionId, view));
      return Behaviors.same();
    }
    if (waiters == null) {
      waiters = new ArrayList<>(2);
    }
    waiters.add(await.replyTo());
    context.watchWith(await.replyTo(), new WaiterGone(await.replyTo()));
    return Behaviors.same();
  }

  private Behavior<Command> onFollowWhilePending(Follow follow) {
    // The requester hears the outcome anyway (and is watched already: watching it again under another message would
    // fail the actor); an HTTP requester's reference is the same for every repeated request.
    if (follow.follower().equals(requester) || (followers != null && followers.contains(follow.follower()))) {
      return Behaviors.same();
    }
    if (waiterCount() >= maxWaiters) {
      follow
          .follower()
          .tell(new RequestRefused(Refusal.WAITER_LIMIT, "interaction " + view.id() + " has too many waiters"));
      return Behaviors.same();
    }
    if (followers == null) {
      followers = new ArrayList<>(2);
    }
    followers.add(follow.follower());
    context.watchWith(follow.follower(), new WaiterGone(follow.follower()));
    return Behaviors.same();
  }

  private int waiterCount() {
    return (waiters == null ? 0 : waiters.size()) + (followers == null ? 0 : followers.size());
  }

  private Behavior<Command> forgetWaiter(ActorRef<?> waiter) {
    if (waiters != null) {
      waiters.remove(waiter);
    }
    if (followers != null) {
      followers.remove(waiter);
    }
    return Behaviors.same();
  }

  private Behavior<Command> complete(InteractionOutcome outcome) {
    timers.cancelAll();
    context.unwatch(requester);
    requester.tell(outcome);
    session.tell(new Session.InteractionClosed(view.id(), outcome));
    InteractionStatus closed = closedStatus(outcome);
    tellWaiters(closed, outcome);
    return closed(outcome, closed);
  }

  private Behavior<Command> closed(InteractionOutcome outcome, InteractionStatus status) {
    return Behaviors.receive(Command.class)
        .onMessage(Settle.class, settle -> refuseLateResponse(settle, outcome))
        .onMessage(Await.class, await -> replyClosed(await, status))
        .onMessage(Follow.class, follow -> replyClosed(follow, outcome))
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onMessage(Command.class, ignored -> Behaviors.same())
        .onSignal(PostStop.class, signal -> stoppedAfterOutcome())
        .build();
  }

  private Behavior<Command> replyClosed(Await await, InteractionStatus status) {
    await.replyTo().tell(status);
    return Behaviors.same();
  }

  private Behavior<Command> replyClosed(Follow follow, InteractionOutcome outcome) {
    follow.follower().tell(outcome);
    return Behaviors.same();
  }

  private void tellWaiters(InteractionStatus status, InteractionOutcome outcome) {
    if (waiters != null) {
      waiters.forEach(
          waiter -> {
            context.unwatch(waiter);
            waiter.tell(status);
          });
      waiters = null;
    }
    if (followers != null) {
      followers.forEach(
          follower -> {
            context.unwatch(follower);
            follower.tell(outcome);
          });
      followers = null;
    }
  }

  private Behavior<Command> refuseLateResponse(Settle settle, InteractionOutcome outcome) {
    settle.replyTo().tell(alreadyClosed(view.id(), outcome, settle.ref()));
    return Behaviors.same();
  }

  /** The reply to an answer or rejection that came after the interaction's outcome. */
  static ServerMessage.Error alreadyClosed(String interactionId, InteractionOutcome outcome, String ref) {
    return new ServerMessage.Error(
        ErrorCode.ALREADY_CLOSED, "interaction is already closed as " + outcome.code().wireName(), interactionId, ref);
  }

  /** Stopped with no outcome yet: its session or the whole system is going away. */
  private Behavior<Command> stoppedWhilePending() {
    requester.tell(InteractionOutcome.Shutdown.INSTANCE);
    tellWaiters(closedStatus(InteractionOutcome.Shutdown.INSTANCE), InteractionOutcome.Shutdown.INSTANCE);
    census.interactionStopped();
    return Behaviors.same();
  }

  private Behavior<Command> stoppedAfterOutcome() {
    census.interactionStopped();
    return Behaviors.same();
  }

  private InteractionStatus closedStatus(InteractionOutcome outcome) {
    return InteractionStatus.closed(sessionId, withoutPayload(view), outcome);
  }

  /** The view kept once an interaction closed: its payload is no longer needed and may be large. */
  static ServerMessage.Interaction withoutPayload(ServerMessage.Interaction view) {
    return new ServerMessage.Interaction(view.id(), view.kind(), null, view.requestedAt(), view.expiresAt());
  }
}
