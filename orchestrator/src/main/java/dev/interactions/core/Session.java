package dev.interactions.core;

import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.ServerMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One session: the {@link Interaction}s pending for it (its children), the connections attached to it (watched), and a
 * short, bounded memory of recently closed interactions so that late answers and late pollers get a precise reply.
 *
 * <p>Its lifetime is its content: with nothing pending, nothing attached and nothing remembered, it asks its host to
 * passivate it and stops. While no client is attached and something is pending, a reconnect grace timer runs; when it
 * fires, every pending interaction ends as {@code disconnected}.
 */
public final class Session extends AbstractBehavior<Session.Command> {

  /** Messages a session understands. Commands with a reply can be refused by whoever routes them. */
  public sealed interface Command {
    /**
     * Answers the sender of this command when it cannot reach a session (a node limit, shutdown). Commands without a
     * reply have nothing to do.
     */
    default void refuse(String sessionId, RequestRefused refusal) {}
  }

  /** The reply to {@link RequestInteraction}. */
  public sealed interface Admission permits Admitted, RequestRefused {}

  /**
   * The interaction exists; {@code created} is false if the request's idempotency key named an interaction the session
   * already had (pending, or closed and still remembered: then the status carries its outcome).
   */
  public record Admitted(InteractionStatus status, boolean created) implements Admission {}

  /** The reply to {@link Attach}. */
  public sealed interface AttachResult permits Attached, RequestRefused {}

  /** The connection is attached and has been sent every pending interaction ({@code pending} of them). */
  public record Attached(String sessionId, String connectionId, int pending) implements AttachResult {}

  /**
   * Creates interaction {@code interactionId}. {@code requester} gets exactly one {@link RequestResult} and is watched;
   * {@code replyTo} learns at once whether the interaction was admitted.
   */
  public record RequestInteraction(
      String interactionId,
      InteractionRequest request,
      Duration timeout,
      ActorRef<RequestResult> requester,
      ActorRef<Admission> replyTo)
      implements Command {
    @Override
    public void refuse(String sessionId, RequestRefused refusal) {
      requester.tell(refusal);
      replyTo.tell(refusal);
    }
  }

  /** Cancels a pending interaction on behalf of its requester; clients are told it closed. */
  public record CancelInteraction(String interactionId) implements Command {}

  /**
   * Reads an interaction. With {@code awaitOutcome}, the reply comes when it closes (or at once if it has), so the caller
   * bounds the wait with its ask timeout; without, the reply is immediate.
   */
  public record GetInteraction(String interactionId, boolean awaitOutcome, ActorRef<InteractionLookup> replyTo)
      implements Command {
    @Override
    public void refuse(String sessionId, RequestRefused refusal) {
      replyTo.tell(new UnknownInteraction(sessionId, interactionId));
    }
  }

  /** A client's answer or rejection, from connection {@code connectionId}; the receipt goes to {@code replyTo}. */
  public record Respond(
      String interactionId,
      String connectionId,
      InteractionOutcome.Response response,
      String ref,
      ActorRef<ServerMessage.Receipt> replyTo)
      implements Command {
    @Override
    public void refuse(String sessionId, RequestRefused refusal) {
      replyTo.tell(new ServerMessage.Error(ErrorCode.RATE_LIMITED, refusal.message(), interactionId, ref));
    }
  }

  /** Attaches a client connection: it will receive every pending interaction now and every event from now on. */
  public record Attach(String connectionId, ActorRef<ServerMessage> connection, ActorRef<AttachResult> replyTo)
      implements Command {
    @Override
    public void refuse(String sessionId, RequestRefused refusal) {
      replyTo.tell(refusal);
    }
  }

  /** Detaches a connection that is closing cleanly. */
  public record Detach(String connectionId) implements Command {}

  /** Asks for the session's connections and pending interactions. */
  public record GetState(ActorRef<SessionState> replyTo) implements Command {
    @Override
    public void refuse(String sessionId, RequestRefused refusal) {
      replyTo.tell(SessionState.absent(sessionId));
    }
  }

  /** Ends every pending interaction as {@code shutdown}, refuses new work, and stops once nothing is pending. */
  public enum Close implements Command {
    INSTANCE
  }

  /** Stops the session; sent by its host after the session asked to be passivated (or on a shard handoff). */
  public enum Stop implements Command {
    INSTANCE
  }

  /** From a child interaction: it has its outcome and waits for {@link Interaction.Stop}. */
  record InteractionClosed(String interactionId, InteractionOutcome outcome) implements Command {}

  private record ConnectionGone(String connectionId) implements Command {}

  private enum GraceExpired implements Command {
    INSTANCE
  }

  private enum RetentionElapsed implements Command {
    INSTANCE
  }

  /** How a session asks its host (the node-local {@link Sessions} or a shard) to stop it without losing messages. */
  @FunctionalInterface
  public interface Passivation {
    /** Requests that {@code session} be sent {@link Stop}, buffering anything addressed to it meanwhile. */
    void request(ActorRef<Command> session);
  }

  private record Pending(ServerMessage.Interaction view, ActorRef<Interaction.Command> actor, String idempotencyKey) {}

  private record Retained(InteractionStatus status, long closedAtNanos, String idempotencyKey) {}

  private static final String GRACE_TIMER = "grace";
  private static final String RETENTION_TIMER = "retention";

  /**
   * @param sessionId this session's id
   * @param settings the limits and durations that apply
   * @param directory where commands go back to while this session passivates
   * @param passivation how this session asks its host to stop it
   */
  public static Behavior<Command> create(
      String sessionId, OrchestratorSettings settings, SessionDirectory directory, Passivation passivation) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new Session(context, timers, sessionId, settings, directory, passivation)));
  }

  private final TimerScheduler<Command> timers;
  private final String sessionId;
  private final OrchestratorSettings settings;
  private final SessionDirectory directory;
  private final Passivation passivation;
  private final Census census;
  private final Map<String, Pending> pending = new LinkedHashMap<>();
  private final Map<String, ActorRef<ServerMessage>> connections = new LinkedHashMap<>();
  private final LinkedHashMap<String, Retained> closed = new LinkedHashMap<>();
  /** Idempotency key to interaction id, for pending and remembered interactions only; allocated on first use. */
  private Map<String, String> idempotencyKeys;
  private boolean closing;

  private Session(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      String sessionId,
      OrchestratorSettings settings,
      SessionDirectory directory,
      Passivation passivation) {
    super(context);
    this.timers = timers;
    this.sessionId = sessionId;
    this.settings = settings;
    this.directory = directory;
    this.passivation = passivation;
    this.census = Census.get(context.getSystem());
    census.sessionStarted();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(RequestInteraction.class, this::onRequestInteraction)
        .onMessage(CancelInteraction.class, this::onCancelInteraction)
        .onMessage(Respond.class, this::onRespond)
        .onMessage(Attach.class, this::onAttach)
        .onMessage(Detach.class, this::onDetach)
        .onMessage(GetState.class, this::onGetState)
        .onMessage(GetInteraction.class, this::onGetInteraction)
        .onMessage(InteractionClosed.class, this::onInteractionClosed)
        .onMessage(ConnectionGone.class, gone -> removeConnection(gone.connectionId()))
        .onMessageEquals(GraceExpired.INSTANCE, this::onGraceExpired)
        .onMessageEquals(RetentionElapsed.INSTANCE, this::onRetentionElapsed)
        .onMessageEquals(Close.INSTANCE, this::onClose)
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onSignal(PostStop.class, signal -> onPostStop())
        .build();
  }

  private Behavior<Command> onRequestInteraction(RequestInteraction request) {
    String id = request.interactionId();
    String key = request.request().idempotencyKey().orElse(null);
    String existing = key == null || idempotencyKeys == null ? null : idempotencyKeys.get(key);
    if (existing != null) {
      return onRepeatedRequest(request, existing);
    }
    if (closing) {
      request.refuse(sessionId, RequestRefused.shuttingDown());
    } else if (pending.containsKey(id) || closed.containsKey(id)) {
      request.refuse(sessionId, new RequestRefused(Refusal.DUPLICATE_ID, "interaction " + id + " already exists"));
    } else if (pending.size() >= settings.maxPendingPerSession()) {
      request.refuse(
          sessionId,
          new RequestRefused(
              Refusal.PENDING_LIMIT,
              "session " + sessionId + " already has " + pending.size() + " pending interactions"));
    } else {
      Instant now = Instant.now();
      ServerMessage.Interaction view =
          new ServerMessage.Interaction(
              id, request.request().kind(), request.request().payload(), now, now.plus(request.timeout()));
      ActorRef<Interaction.Command> actor =
          getContext()
              .spawnAnonymous(
                  Interaction.create(
                      sessionId,
                      view,
                      request.timeout(),
                      settings.maxWaitersPerInteraction(),
                      request.requester(),
                      getContext().getSelf()));
      pending.put(id, new Pending(view, actor, key));
      if (key != null) {
        if (idempotencyKeys == null) {
          idempotencyKeys = new HashMap<>();
        }
        idempotencyKeys.put(key, id);
      }
      connections.values().forEach(connection -> connection.tell(view));
      request.replyTo().tell(new Admitted(InteractionStatus.pending(sessionId, view), true));
    }
    return afterChange();
  }

  /** Same idempotency key as an interaction this session has: that interaction answers, no second one is made. */
  private Behavior<Command> onRepeatedRequest(RequestInteraction request, String existingId) {
    Pending target = pending.get(existingId);
    if (target != null) {
      target.actor().tell(new Interaction.Follow(request.requester()));
      request.replyTo().tell(new Admitted(InteractionStatus.pending(sessionId, target.view()), false));
    } else {
      InteractionStatus status = closed.get(existingId).status();
      status.outcome().ifPresent(request.requester()::tell);
      request.replyTo().tell(new Admitted(status, false));
    }
    return afterChange();
  }

  private Behavior<Command> onCancelInteraction(CancelInteraction cancel) {
    Pending target = pending.get(cancel.interactionId());
    if (target != null) {
      target.actor().tell(new Interaction.Close(InteractionOutcome.Cancelled.INSTANCE));
    }
    return afterChange();
  }

  private Behavior<Command> onRespond(Respond respond) {
    String id = respond.interactionId();
    Pending target = pending.get(id);
    if (target != null) {
      target.actor().tell(new Interaction.Settle(respond.response(), respond.ref(), respond.replyTo()));
    } else {
      Retained retained = closed.get(id);
      respond
          .replyTo()
          .tell(
              retained != null
                  ? Interaction.alreadyClosed(id, retained.status().outcome().orElseThrow(), respond.ref())
                  : new ServerMessage.Error(
                      ErrorCode.UNKNOWN_INTERACTION,
                      "no interaction " + id + " in session " + sessionId,
                      id,
                      respond.ref()));
    }
    return afterChange();
  }

  private Behavior<Command> onAttach(Attach attach) {
    String connectionId = attach.connectionId();
    if (closing) {
      attach.refuse(sessionId, RequestRefused.shuttingDown());
      return afterChange();
    }
    if (!connections.containsKey(connectionId)) {
      if (connections.size() >= settings.maxConnectionsPerSession()) {
        attach.refuse(
            sessionId,
            new RequestRefused(
                Refusal.CONNECTION_LIMIT,
                "session " + sessionId + " already has " + connections.size() + " connections"));
        return afterChange();
      }
      connections.put(connectionId, attach.connection());
      getContext().watchWith(attach.connection(), new ConnectionGone(connectionId));
      pending.values().forEach(p -> attach.connection().tell(p.view()));
    }
    attach.replyTo().tell(new Attached(sessionId, connectionId, pending.size()));
    return afterChange();
  }

  private Behavior<Command> onDetach(Detach detach) {
    ActorRef<ServerMessage> connection = connections.get(detach.connectionId());
    if (connection != null) {
      getContext().unwatch(connection);
    }
    return removeConnection(detach.connectionId());
  }

  private Behavior<Command> removeConnection(String connectionId) {
    connections.remove(connectionId);
    return afterChange();
  }

  private Behavior<Command> onGetState(GetState get) {
    List<ServerMessage.Interaction> views = new ArrayList<>(pending.size());
    pending.values().forEach(p -> views.add(p.view()));
    get.replyTo().tell(new SessionState(sessionId, new ArrayList<>(connections.keySet()), views));
    return afterChange();
  }

  private Behavior<Command> onGetInteraction(GetInteraction get) {
    Pending target = pending.get(get.interactionId());
    Retained retained = closed.get(get.interactionId());
    if (target != null && get.awaitOutcome()) {
      target.actor().tell(new Interaction.Await(get.replyTo()));
    } else if (target != null) {
      get.replyTo().tell(InteractionStatus.pending(sessionId, target.view()));
    } else if (retained != null) {
      get.replyTo().tell(retained.status());
    } else {
      get.replyTo().tell(new UnknownInteraction(sessionId, get.interactionId()));
    }
    return afterChange();
  }

  private Behavior<Command> onInteractionClosed(InteractionClosed closedInteraction) {
    Pending done = pending.remove(closedInteraction.interactionId());
    if (done != null) {
      done.actor().tell(Interaction.Stop.INSTANCE);
      remember(done, closedInteraction.outcome());
      ServerMessage.Closed event =
          new ServerMessage.Closed(closedInteraction.interactionId(), closedInteraction.outcome().code());
      connections.values().forEach(connection -> connection.tell(event));
    }
    return afterChange();
  }

  private Behavior<Command> onGraceExpired() {
    getContext().getLog().debug("session {}: no client reconnected in time, {} pending", sessionId, pending.size());
    Interaction.Close disconnected = new Interaction.Close(InteractionOutcome.Disconnected.INSTANCE);
    pending.values().forEach(p -> p.actor().tell(disconnected));
    return this;
  }

  private Behavior<Command> onRetentionElapsed() {
    long now = System.nanoTime();
    long retention = settings.closedRetention().toNanos();
    Iterator<Retained> oldestFirst = closed.values().iterator();
    while (oldestFirst.hasNext()) {
      Retained oldest = oldestFirst.next();
      if (now - oldest.closedAtNanos() < retention) {
        break;
      }
      oldestFirst.remove();
      forgetIdempotencyKey(oldest.idempotencyKey());
    }
    scheduleRetention();
    return afterChange();
  }

  private Behavior<Command> onClose() {
    closing = true;
    Interaction.Close shutdown = new Interaction.Close(InteractionOutcome.Shutdown.INSTANCE);
    pending.values().forEach(p -> p.actor().tell(shutdown));
    closed.clear();
    idempotencyKeys = null;
    return afterChange();
  }

  private Behavior<Command> onPostStop() {
    census.sessionStopped();
    return this;
  }

  private void remember(Pending done, InteractionOutcome outcome) {
    if (settings.closedRetentionMax() == 0 || settings.closedRetention().isZero() || closing) {
      forgetIdempotencyKey(done.idempotencyKey());
      return;
    }
    InteractionStatus status = InteractionStatus.closed(sessionId, Interaction.withoutPayload(done.view()), outcome);
    closed.put(done.view().id(), new Retained(status, System.nanoTime(), done.idempotencyKey()));
    if (closed.size() > settings.closedRetentionMax()) {
      Iterator<Retained> oldest = closed.values().iterator();
      forgetIdempotencyKey(oldest.next().idempotencyKey());
      oldest.remove();
    }
    if (!timers.isTimerActive(RETENTION_TIMER)) {
      scheduleRetention();
    }
  }

  private void forgetIdempotencyKey(String key) {
    if (key != null && idempotencyKeys != null) {
      idempotencyKeys.remove(key);
      if (idempotencyKeys.isEmpty()) {
        idempotencyKeys = null;
      }
    }
  }

  private void scheduleRetention() {
    Iterator<Retained> oldest = closed.values().iterator();
    if (oldest.hasNext()) {
      long age = System.nanoTime() - oldest.next().closedAtNanos();
      Duration remaining = settings.closedRetention().minusNanos(age);
      timers.startSingleTimer(RETENTION_TIMER, RetentionElapsed.INSTANCE, remaining.isNegative() ? Duration.ZERO : remaining);
    }
  }

  /** Re-evaluates timers and lifetime after every change: the session's life is exactly its content. */
  private Behavior<Command> afterChange() {
    if (closing) {
      return pending.isEmpty() ? Behaviors.stopped() : this;
    }
    if (connections.isEmpty() && !pending.isEmpty()) {
      if (!timers.isTimerActive(GRACE_TIMER)) {
        timers.startSingleTimer(GRACE_TIMER, GraceExpired.INSTANCE, settings.reconnectGrace());
      }
    } else {
      timers.cancel(GRACE_TIMER);
    }
    if (connections.isEmpty() && pending.isEmpty() && closed.isEmpty()) {
      timers.cancelAll();
      passivation.request(getContext().getSelf());
      return passivating();
    }
    return this;
  }

  /**
   * Waiting for {@link Stop} after asking to be passivated. Work that still reaches this incarnation goes back through the
   * directory, which holds it until this actor has stopped and hands it to a fresh one: nothing is lost in the gap.
   */
  private Behavior<Command> passivating() {
    return Behaviors.receive(Command.class)
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onMessage(InteractionClosed.class, ignored -> Behaviors.same())
        .onMessage(ConnectionGone.class, ignored -> Behaviors.same())
        .onMessageEquals(GraceExpired.INSTANCE, Behaviors::same)
        .onMessageEquals(RetentionElapsed.INSTANCE, Behaviors::same)
        .onMessage(Command.class, this::redeliver)
        .onSignal(PostStop.class, signal -> onPostStop())
        .build();
  }

  private Behavior<Command> redeliver(Command command) {
    directory.tell(sessionId, command);
    return Behaviors.same();
  }
}
