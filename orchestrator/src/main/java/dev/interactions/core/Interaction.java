package dev.interactions.core;

import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.ServerMessage;
import java.time.Duration;
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
 */
public final class Interaction {

  /** Messages an interaction understands. */
  public sealed interface Command {}

  /** A client's answer or rejection; the reply ({@code ack} or {@code error}) goes to {@code replyTo}. */
  public record Settle(InteractionOutcome.Response response, String ref, ActorRef<ServerMessage.Receipt> replyTo)
      implements Command {}

  /** Ends the interaction with {@code outcome} (cancelled, disconnected, shutdown) unless it already ended. */
  public record Close(InteractionOutcome outcome) implements Command {}

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

  /**
   * @param id the interaction id
   * @param timeout time until it expires
   * @param requester who receives the outcome; watched: if it stops, the interaction is cancelled
   * @param session the parent session, told of the outcome
   */
  public static Behavior<Command> create(
      String id, Duration timeout, ActorRef<RequestResult> requester, ActorRef<Session.Command> session) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  context.watchWith(requester, RequesterStopped.INSTANCE);
                  timers.startSingleTimer(DeadlinePassed.INSTANCE, timeout);
                  return new Interaction(context, timers, id, requester, session).pending();
                }));
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final String id;
  private final ActorRef<RequestResult> requester;
  private final ActorRef<Session.Command> session;
  private final Census census;

  private Interaction(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      String id,
      ActorRef<RequestResult> requester,
      ActorRef<Session.Command> session) {
    this.context = context;
    this.timers = timers;
    this.id = id;
    this.requester = requester;
    this.session = session;
    this.census = Census.get(context.getSystem());
    census.interactionStarted();
  }

  private Behavior<Command> pending() {
    return Behaviors.receive(Command.class)
        .onMessage(Settle.class, this::onSettle)
        .onMessage(Close.class, close -> complete(close.outcome()))
        .onMessageEquals(DeadlinePassed.INSTANCE, () -> complete(InteractionOutcome.Expired.INSTANCE))
        .onMessageEquals(RequesterStopped.INSTANCE, () -> complete(InteractionOutcome.Cancelled.INSTANCE))
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onSignal(PostStop.class, signal -> stoppedWhilePending())
        .build();
  }

  private Behavior<Command> onSettle(Settle settle) {
    Behavior<Command> next = complete(settle.response());
    settle.replyTo().tell(new ServerMessage.Ack(id, settle.ref()));
    return next;
  }

  private Behavior<Command> complete(InteractionOutcome outcome) {
    timers.cancelAll();
    context.unwatch(requester);
    requester.tell(outcome);
    session.tell(new Session.InteractionClosed(id, outcome));
    return closed(outcome);
  }

  private Behavior<Command> closed(InteractionOutcome outcome) {
    return Behaviors.receive(Command.class)
        .onMessage(Settle.class, settle -> refuseLateResponse(settle, outcome))
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onMessage(Command.class, ignored -> Behaviors.same())
        .onSignal(PostStop.class, signal -> stoppedAfterOutcome())
        .build();
  }

  private Behavior<Command> refuseLateResponse(Settle settle, InteractionOutcome outcome) {
    settle
        .replyTo()
        .tell(
            new ServerMessage.Error(
                ErrorCode.ALREADY_CLOSED,
                "interaction is already closed as " + outcome.code().wireName(),
                id,
                settle.ref()));
    return Behaviors.same();
  }

  /** Stopped with no outcome yet: its session or the whole system is going away. */
  private Behavior<Command> stoppedWhilePending() {
    requester.tell(InteractionOutcome.Shutdown.INSTANCE);
    census.interactionStopped();
    return Behaviors.same();
  }

  private Behavior<Command> stoppedAfterOutcome() {
    census.interactionStopped();
    return Behaviors.same();
  }
}
