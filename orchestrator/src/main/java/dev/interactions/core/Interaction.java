package dev.interactions.core;

import dev.interactions.protocol.Audit;
import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.OutcomeCode;
import dev.interactions.protocol.ServerMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ExtensibleBehavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One pending interaction, a child of its {@link Session}: its deadline timer, its requester and the readers waiting for
 * its outcome. The session decides and records the outcome (so it is decided once, in one mailbox, and written to the
 * journal before anyone hears of it); this actor then delivers it to everyone waiting and stops.
 *
 * <p>If it stops before that (its session stopped: shutdown, a journal failure, the actor system ending), its
 * {@code PostStop} still completes the requester: with {@code shutdown} when sessions are kept in memory only, or with
 * {@link Suspended} when they are durable, since the interaction then stays pending in the journal and resumes when its
 * session recovers.
 */
public final class Interaction extends ExtensibleBehavior<Interaction.Command> {

  /** Messages an interaction understands. */
  public sealed interface Command extends ClusterMessage {}

  /** From the session once the outcome is recorded: everyone waiting hears it, then the interaction stops. */
  public record Resolve(InteractionOutcome outcome, Audit audit) implements Command {}

  /**
   * Replies to {@code replyTo} with the closed status as soon as there is an outcome. Past
   * {@code orchestrator.interaction.max-waiters} readers, it replies with the pending status at once instead.
   */
  public record Await(ActorRef<InteractionLookup> replyTo) implements Command {}

  /**
   * Sends the outcome to {@code follower} too: a second requester of the same interaction (same idempotency key). Unlike
   * the first requester, a follower that stops does not cancel the interaction.
   */
  public record Follow(ActorRef<RequestResult> follower) implements Command {}

  /** From the session once an extension is recorded: the deadline is now {@code view}'s, {@code remaining} from now. */
  public record Reschedule(ServerMessage.Interaction view, Duration remaining) implements Command {}

  /**
   * From the session once the first {@code shown} is recorded: the delivery deadline no longer applies, and readers
   * see {@code view}, which says who showed it.
   */
  public record Delivered(ServerMessage.Interaction view) implements Command {}

  private enum DeadlinePassed implements Command {
    INSTANCE
  }

  private enum DeliveryDeadlinePassed implements Command {
    INSTANCE
  }

  private enum RequesterStopped implements Command {
    INSTANCE
  }

  private record WaiterGone(ActorRef<?> waiter) implements Command {}

  /**
   * @param sessionId the session it belongs to
   * @param view the interaction as clients see it
   * @param remaining time until its deadline (zero or negative: it is overdue and expires at once)
   * @param untilDelivery time until its delivery deadline, or null if it has none (or was shown already)
   * @param maxWaiters long-polling readers and followers it holds at most
   * @param requester who receives the outcome, watched (if it stops, the interaction is cancelled); {@code null} for an
   *     interaction recovered from the journal, whose requester lived in a process that is gone
   * @param session the parent session, told when the deadline passes or the requester stops
   * @param durable whether the session is durable, which decides what a requester hears if this actor stops first
   */
  public static Behavior<Command> create(
      String sessionId,
      ServerMessage.Interaction view,
      Duration remaining,
      Duration untilDelivery,
      int maxWaiters,
      ActorRef<RequestResult> requester,
      ActorRef<Session.Command> session,
      boolean durable) {
    return Behaviors.setup(
        context -> {
          if (requester != null) {
            context.watchWith(requester, RequesterStopped.INSTANCE);
          }
          Cancellable deadline = schedule(context, remaining, DeadlinePassed.INSTANCE);
          Cancellable delivery =
              untilDelivery == null ? null : schedule(context, untilDelivery, DeliveryDeadlinePassed.INSTANCE);
          return new Interaction(context, sessionId, view, maxWaiters, requester, session, durable, deadline, delivery);
        });
  }

  private static Cancellable schedule(ActorContext<Command> context, Duration after, Command message) {
    return context.scheduleOnce(after.isNegative() ? Duration.ZERO : after, context.getSelf(), message);
  }

  private final ActorContext<Command> context;
  private final String sessionId;
  /** As clients see it; its deadline moves when the session records an extension. */
  private ServerMessage.Interaction view;
  private final int maxWaiters;
  private final ActorRef<RequestResult> requester;
  private final ActorRef<Session.Command> session;
  private final boolean durable;
  private final Census census;
  /** The deadline; cancelled when the interaction stops first, so that nothing of it stays in the scheduler. */
  private Cancellable deadline;
  /** The delivery deadline while it runs (until the first {@code shown}), else null. */
  private Cancellable delivery;
  /** Long-polling readers; allocated on the first one, since most interactions never have any. */
  private List<ActorRef<InteractionLookup>> waiters;
  /** Further requesters of the same interaction; allocated on the first one. */
  private List<ActorRef<RequestResult>> followers;
  /** Whether everyone has heard the outcome; PostStop reaches the pending behaviour either way. */
  private boolean resolved;

  private Interaction(
      ActorContext<Command> context,
      String sessionId,
      ServerMessage.Interaction view,
      int maxWaiters,
      ActorRef<RequestResult> requester,
      ActorRef<Session.Command> session,
      boolean durable,
      Cancellable deadline,
      Cancellable delivery) {
    this.context = context;
    this.sessionId = sessionId;
    this.view = view;
    this.maxWaiters = maxWaiters;
    this.requester = requester;
    this.session = session;
    this.durable = durable;
    this.deadline = deadline;
    this.delivery = delivery;
    this.census = Census.get(context.getSystem());
    census.interactionStarted();
  }

  // An interaction has one behaviour and lives as long as its deadline at most, and there may be 100,000s of them: this
  // object is the behaviour (no receive builder, whose cases would be built again for every interaction) and the
  // deadline is one scheduled message (no timer scheduler of its own).
  @Override
  public Behavior<Command> receive(TypedActorContext<Command> ctx, Command message) {
    if (message instanceof Resolve resolve) {
      return resolve(resolve.outcome(), resolve.audit());
    } else if (message instanceof Await await) {
      onAwait(await);
    } else if (message instanceof Follow follow) {
      onFollow(follow);
    } else if (message instanceof WaiterGone gone) {
      forgetWaiter(gone.waiter());
    } else if (message instanceof Reschedule reschedule) {
      deadline.cancel();
      view = reschedule.view();
      deadline = schedule(context, reschedule.remaining(), DeadlinePassed.INSTANCE);
    } else if (message instanceof Delivered delivered) {
      view = delivered.view();
      cancelDelivery();
    } else if (message == DeliveryDeadlinePassed.INSTANCE) {
      delivery = null;
      session.tell(new Session.DeliveryExpired(view.id()));
    } else if (message == DeadlinePassed.INSTANCE) {
      session.tell(new Session.Expire(view.id()));
    } else if (message == RequesterStopped.INSTANCE) {
      session.tell(new Session.CancelInteraction(view.id()));
    }
    return this;
  }

  @Override
  public Behavior<Command> receiveSignal(TypedActorContext<Command> ctx, Signal signal) {
    if (signal instanceof PostStop) {
      onPostStop();
    }
    return this;
  }

  private void onAwait(Await await) {
    if (waiters != null && waiters.contains(await.replyTo())) {
      return;
    }
    if (waiterCount() >= maxWaiters) {
      await.replyTo().tell(InteractionStatus.pending(sessionId, view));
      return;
    }
    if (waiters == null) {
      waiters = new ArrayList<>(2);
    }
    waiters.add(await.replyTo());
    context.watchWith(await.replyTo(), new WaiterGone(await.replyTo()));
  }

  private void onFollow(Follow follow) {
    // The requester hears the outcome anyway (and is watched already: watching it again under another message would
    // fail the actor); an HTTP requester's reference is the same for every repeated request.
    if (follow.follower().equals(requester) || (followers != null && followers.contains(follow.follower()))) {
      return;
    }
    if (waiterCount() >= maxWaiters) {
      census.observer().refused(Refusal.WAITER_LIMIT);
      follow
          .follower()
          .tell(new RequestRefused(Refusal.WAITER_LIMIT, "interaction " + view.id() + " has too many waiters"));
      return;
    }
    if (followers == null) {
      followers = new ArrayList<>(2);
    }
    followers.add(follow.follower());
    context.watchWith(follow.follower(), new WaiterGone(follow.follower()));
  }

  private int waiterCount() {
    return (waiters == null ? 0 : waiters.size()) + (followers == null ? 0 : followers.size());
  }

  private void forgetWaiter(ActorRef<?> waiter) {
    if (waiters != null) {
      waiters.remove(waiter);
    }
    if (followers != null) {
      followers.remove(waiter);
    }
  }

  private Behavior<Command> resolve(InteractionOutcome outcome, Audit audit) {
    if (requester != null) {
      context.unwatch(requester);
      requester.tell(outcome);
    }
    tellWaiters(InteractionStatus.closed(sessionId, withoutPayload(view), outcome, audit), outcome);
    resolved = true;
    return Behaviors.stopped();
  }

  private void tellWaiters(InteractionLookup status, RequestResult result) {
    if (waiters != null) {
      waiters.forEach(waiter -> waiter.tell(status));
      waiters = null;
    }
    if (followers != null) {
      followers.forEach(follower -> follower.tell(result));
      followers = null;
    }
  }

  private void cancelDelivery() {
    if (delivery != null) {
      delivery.cancel();
      delivery = null;
    }
  }

  private void onPostStop() {
    deadline.cancel();
    cancelDelivery();
    if (!resolved) {
      completeWithoutOutcome();
    }
    census.interactionStopped();
  }

  /** Stopped with no outcome recorded: its session or the whole system is going away. */
  private void completeWithoutOutcome() {
    if (durable) {
      Suspended suspended = new Suspended(sessionId, view.id());
      if (requester != null) {
        requester.tell(suspended);
      }
      tellWaiters(InteractionStatus.pending(sessionId, view), suspended);
    } else {
      InteractionOutcome shutdown = InteractionOutcome.Shutdown.INSTANCE;
      if (requester != null) {
        requester.tell(shutdown);
      }
      tellWaiters(InteractionStatus.closed(sessionId, withoutPayload(view), shutdown), shutdown);
    }
  }

  /** The reply to an answer or rejection that came after the interaction's outcome. */
  static ServerMessage.Error alreadyClosed(String interactionId, OutcomeCode outcome, String ref) {
    return new ServerMessage.Error(
        ErrorCode.ALREADY_CLOSED, "interaction is already closed as " + outcome.wireName(), interactionId, ref);
  }

  /** The view kept once an interaction closed: its payload is no longer needed and may be large. */
  static ServerMessage.Interaction withoutPayload(ServerMessage.Interaction view) {
    return new ServerMessage.Interaction(view.id(), view.kind(), null, view.requestedAt(), view.expiresAt());
  }
}
