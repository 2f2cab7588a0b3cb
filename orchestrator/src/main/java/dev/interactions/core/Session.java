package dev.interactions.core;

import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.ServerMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerBuilder;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One session: the {@link Interaction}s pending for it (its children), the connections attached to it (watched), and a
 * short, bounded memory of recently closed interactions so that late answers and late readers get a precise reply.
 *
 * <p>It is event sourced: a request is admitted and an outcome decided only once its event is in the journal, and the
 * session's {@link SessionLedger} is rebuilt from those events when it starts. With the {@code memory} store the journal
 * keeps nothing ({@link NoJournal}), so nothing survives the process; with a durable store, pending interactions survive a
 * restart or a crash, resume with their original deadlines, and expire at recovery if the deadline passed meanwhile.
 *
 * <p>Outcomes are decided here, one command at a time, and the ledger says whether an interaction is still pending: an
 * interaction closes exactly once whatever races (answers, deadline, cancel, disconnect, restart). Connections and the
 * interaction actors are the session's runtime, not its record: they are rebuilt, not recovered.
 *
 * <p>Its lifetime is its content: with nothing pending, nothing attached and nothing remembered, it asks its host to
 * passivate it and stops. While no client is attached and something is pending, a reconnect grace timer runs; when it
 * fires, every pending interaction ends as {@code disconnected}.
 */
public final class Session extends EventSourcedBehavior<Session.Command, SessionEvent, SessionLedger> {

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

  /**
   * The connection is attached and has been sent every pending interaction ({@code pending} of them). {@code session} is
   * the incarnation it is attached to: a connection watches it and attaches again if it stops while the connection
   * lives (a durable session that failed and is restarted).
   */
  public record Attached(String sessionId, String connectionId, int pending, ActorRef<Command> session)
      implements AttachResult {}

  /**
   * Creates interaction {@code interactionId}. {@code requester} gets exactly one {@link RequestResult} and is watched;
   * {@code replyTo} learns whether the interaction was admitted, once its request is recorded.
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

  /**
   * A client's answer or rejection, from connection {@code connectionId}; the receipt goes to {@code replyTo} once the
   * outcome is recorded.
   */
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

  /**
   * The orchestrator is shutting down. A session kept in memory ends every pending interaction as {@code shutdown} and
   * stops once none is pending; a durable session stops at once, its pending interactions staying in the journal.
   */
  public enum Close implements Command {
    INSTANCE
  }

  /** Stops the session; sent by its host after the session asked to be passivated (or on a shard handoff). */
  public enum Stop implements Command {
    INSTANCE
  }

  /**
   * From the host, starting a session the roster listed after a restart: nothing to do but re-evaluate its lifetime once
   * recovered (a session that turns out to hold nothing passivates at once).
   */
  enum Resume implements Command {
    INSTANCE
  }

  /** From a child interaction: its deadline passed. */
  record Expire(String interactionId) implements Command {}

  private record ConnectionGone(String connectionId) implements Command {}

  /** A child interaction stopped: after delivering its outcome, or because it failed. */
  private record InteractionStopped(String interactionId) implements Command {}

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

  /**
   * Where a durable session says that it holds pending work, so that a restarted node starts it again (and its
   * deadlines run) without waiting for a client or requester to touch it.
   */
  public interface Roster {
    /** The session recorded a pending interaction. */
    void active(String sessionId);

    /** The session holds nothing any more and is passivating. */
    void idle(String sessionId);

    /** The roster of sessions kept in memory only: there is nothing to resume after a restart. */
    Roster NONE =
        new Roster() {
          @Override
          public void active(String sessionId) {}

          @Override
          public void idle(String sessionId) {}
        };
  }

  private static final String GRACE_TIMER = "grace";
  private static final String RETENTION_TIMER = "retention";

  /** A session kept in memory only, as tests and hosts without a roster use it. */
  public static Behavior<Command> create(
      String sessionId, OrchestratorSettings settings, SessionDirectory directory, Passivation passivation) {
    return create(sessionId, settings, directory, passivation, Roster.NONE);
  }

  /**
   * @param sessionId this session's id
   * @param settings the limits, durations and store that apply
   * @param directory where commands go back to while this session passivates
   * @param passivation how this session asks its host to stop it
   * @param roster where a durable session says it holds pending work
   */
  public static Behavior<Command> create(
      String sessionId,
      OrchestratorSettings settings,
      SessionDirectory directory,
      Passivation passivation,
      Roster roster) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new Session(context, timers, sessionId, settings, directory, passivation, roster)));
  }

  /** The persistence id of session {@code sessionId}: its events are found under it. */
  public static PersistenceId persistenceId(String sessionId) {
    return PersistenceId.of("Session", sessionId);
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final String sessionId;
  private final OrchestratorSettings settings;
  private final StoreSettings store;
  private final SessionDirectory directory;
  private final Passivation passivation;
  private final Roster roster;
  private final Census census;
  private final long startedAt = System.nanoTime();
  /** The actor of each pending interaction; rebuilt from the ledger at recovery. */
  private final Map<String, ActorRef<Interaction.Command>> interactions = new HashMap<>();
  private final Map<String, ActorRef<ServerMessage>> connections = new LinkedHashMap<>();
  /**
   * Interactions told their outcome that have not stopped yet. The session outlives them: stopping it would stop them
   * before they deliver the outcome already recorded.
   */
  private int resolving;
  private boolean announcedActive;
  private boolean closing;
  private boolean passivating;

  private Session(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      String sessionId,
      OrchestratorSettings settings,
      SessionDirectory directory,
      Passivation passivation,
      Roster roster) {
    super(persistenceId(sessionId));
    this.context = context;
    this.timers = timers;
    this.sessionId = sessionId;
    this.settings = settings;
    this.store = settings.store();
    this.directory = directory;
    this.passivation = passivation;
    this.roster = roster;
    this.census = Census.get(context.getSystem());
    census.sessionStarted();
  }

  @Override
  public String journalPluginId() {
    return store.journalPluginId();
  }

  @Override
  public String snapshotPluginId() {
    return store.snapshotPluginId();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // Old snapshots are deleted; old events are not: they are the history of closed interactions, removed by the
    // store's own retention once older than its retention period (see the persistence module).
    return store.durable() ? RetentionCriteria.snapshotEvery(store.snapshotEvery(), 2) : RetentionCriteria.disabled();
  }

  @Override
  public SessionLedger emptyState() {
    return new SessionLedger();
  }

  @Override
  public EventHandler<SessionLedger, SessionEvent> eventHandler() {
    int rememberAtMost = settings.closedRetention().isZero() ? 0 : settings.closedRetentionMax();
    return newEventHandlerBuilder()
        .forAnyState()
        .onAnyEvent((ledger, event) -> ledger.apply(event, closing ? 0 : rememberAtMost));
  }

  @Override
  public SignalHandler<SessionLedger> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecoveryCompleted)
        .onSignal(RecoveryFailed.class, (ledger, failed) -> onRecoveryFailed(failed))
        .onSignal(PostStop.instance(), ledger -> census.sessionStopped())
        .build();
  }

  @Override
  public CommandHandler<Command, SessionEvent, SessionLedger> commandHandler() {
    CommandHandlerBuilder<Command, SessionEvent, SessionLedger> builder = newCommandHandlerBuilder();
    // Waiting for Stop after asking to be passivated: work that still reaches this incarnation goes back through the
    // directory, which holds it until this actor has stopped and hands it to a fresh one. Nothing is lost in the gap.
    builder
        .forState(ledger -> passivating)
        .onCommand(Stop.class, stop -> Effect().stop())
        .onCommand(Expire.class, ignored -> Effect().none())
        .onCommand(Resume.class, ignored -> Effect().none())
        .onCommand(ConnectionGone.class, ignored -> Effect().none())
        .onCommand(InteractionStopped.class, ignored -> Effect().none())
        .onCommand(GraceExpired.class, ignored -> Effect().none())
        .onCommand(RetentionElapsed.class, ignored -> Effect().none())
        .onAnyCommand(this::redeliver);
    builder
        .forAnyState()
        .onCommand(RequestInteraction.class, this::onRequestInteraction)
        .onCommand(CancelInteraction.class, (ledger, cancel) -> close(ledger, cancel.interactionId(), InteractionOutcome.Cancelled.INSTANCE))
        .onCommand(Expire.class, (ledger, expire) -> close(ledger, expire.interactionId(), InteractionOutcome.Expired.INSTANCE))
        .onCommand(Respond.class, this::onRespond)
        .onCommand(Attach.class, this::onAttach)
        .onCommand(Detach.class, this::onDetach)
        .onCommand(ConnectionGone.class, (ledger, gone) -> removeConnection(ledger, gone.connectionId()))
        .onCommand(InteractionStopped.class, this::onInteractionStopped)
        .onCommand(GetState.class, this::onGetState)
        .onCommand(GetInteraction.class, this::onGetInteraction)
        .onCommand(GraceExpired.class, this::onGraceExpired)
        .onCommand(RetentionElapsed.class, this::onRetentionElapsed)
        .onCommand(Resume.class, (ledger, resume) -> unrecorded(ledger))
        .onCommand(Close.class, this::onClose)
        .onCommand(Stop.class, stop -> Effect().stop());
    return builder.build();
  }

  private void onRecoveryCompleted(SessionLedger ledger) {
    if (!ledger.pending().isEmpty()) {
      census.observer().sessionRecovered(Duration.ofNanos(System.nanoTime() - startedAt));
      context.getLog().info("session {}: recovered {} pending interactions", sessionId, ledger.pending().size());
      announceActive();
    }
    ledger.forgetClosedBefore(Instant.now().minus(settings.closedRetention()));
    // Overdue interactions get a zero-length deadline: they expire at once, through the same path as any other.
    Instant now = Instant.now();
    ledger.pending().values().forEach(requested -> spawn(requested, Duration.between(now, requested.expiresAt()), null));
    scheduleRetention(ledger);
    if (!ledger.pending().isEmpty()) {
      // Runs the grace period: clients of a recovered session must come back. An empty session waits for the command
      // that started it before deciding its lifetime.
      afterChange(ledger);
    }
  }

  private void onRecoveryFailed(RecoveryFailed failed) {
    context.getLog().error("session {}: could not recover from the journal: {}", sessionId, failed.getFailure().toString());
  }

  private Effect<SessionEvent, SessionLedger> onRequestInteraction(SessionLedger ledger, RequestInteraction request) {
    String id = request.interactionId();
    String existing = ledger.interactionForKey(request.request().idempotencyKey().orElse(null));
    if (existing != null) {
      return onRepeatedRequest(ledger, request, existing);
    }
    RequestRefused refusal = null;
    if (closing) {
      refusal = RequestRefused.shuttingDown();
    } else if (ledger.pending().containsKey(id) || ledger.closed().containsKey(id)) {
      refusal = new RequestRefused(Refusal.DUPLICATE_ID, "interaction " + id + " already exists");
    } else if (ledger.pending().size() >= settings.maxPendingPerSession()) {
      refusal =
          new RequestRefused(
              Refusal.PENDING_LIMIT,
              "session " + sessionId + " already has " + ledger.pending().size() + " pending interactions");
    }
    if (refusal != null) {
      census.observer().refused(refusal.reason());
      request.refuse(sessionId, refusal);
      return Effect().none();
    }
    Instant now = Instant.now();
    SessionEvent.Requested requested =
        new SessionEvent.Requested(
            id,
            request.request().kind(),
            request.request().payload(),
            now,
            now.plus(request.timeout()),
            request.request().idempotencyKey().orElse(null));
    long issued = System.nanoTime();
    return Effect()
        .persist(requested)
        .thenRun(
            after -> {
              journalWritten(issued);
              spawn(requested, request.timeout(), request.requester());
              ServerMessage.Interaction view = requested.view();
              connections.values().forEach(connection -> connection.tell(view));
              request.replyTo().tell(new Admitted(InteractionStatus.pending(sessionId, view), true));
              announceActive();
              afterChange(after);
            });
  }

  /** Same idempotency key as an interaction this session has: that interaction answers, no second one is made. */
  private Effect<SessionEvent, SessionLedger> onRepeatedRequest(
      SessionLedger ledger, RequestInteraction request, String existingId) {
    SessionEvent.Requested pending = ledger.pending().get(existingId);
    ActorRef<Interaction.Command> actor = interactions.get(existingId);
    if (pending != null && actor != null) {
      actor.tell(new Interaction.Follow(request.requester()));
      request.replyTo().tell(new Admitted(InteractionStatus.pending(sessionId, pending.view()), false));
    } else if (pending != null) {
      request.replyTo().tell(new Admitted(InteractionStatus.pending(sessionId, pending.view()), false));
    } else {
      InteractionStatus status = closedStatus(ledger.closed().get(existingId));
      status.outcome().ifPresent(request.requester()::tell);
      request.replyTo().tell(new Admitted(status, false));
    }
    return Effect().none();
  }

  private Effect<SessionEvent, SessionLedger> onRespond(SessionLedger ledger, Respond respond) {
    String id = respond.interactionId();
    if (ledger.pending().containsKey(id)) {
      // The answering client gets its ack before anyone hears "closed".
      return close(ledger, id, respond.response(), new ServerMessage.Ack(id, respond.ref()), respond.replyTo());
    }
    SessionEvent.Closed closed = ledger.closed().get(id);
    respond
        .replyTo()
        .tell(
            closed != null
                ? Interaction.alreadyClosed(id, closed.toOutcome(), respond.ref())
                : new ServerMessage.Error(
                    ErrorCode.UNKNOWN_INTERACTION,
                    "no interaction " + id + " in session " + sessionId,
                    id,
                    respond.ref()));
    return Effect().none();
  }

  private Effect<SessionEvent, SessionLedger> close(SessionLedger ledger, String id, InteractionOutcome outcome) {
    return close(ledger, id, outcome, null, null);
  }

  /**
   * Records that {@code id} closed with {@code outcome}, if it is still pending; then {@code receipt} goes to
   * {@code receiptTo} (if any), connections hear {@code closed}, and the interaction delivers the outcome and stops.
   */
  private Effect<SessionEvent, SessionLedger> close(
      SessionLedger ledger,
      String id,
      InteractionOutcome outcome,
      ServerMessage.Receipt receipt,
      ActorRef<ServerMessage.Receipt> receiptTo) {
    SessionEvent.Requested requested = ledger.pending().get(id);
    if (requested == null) {
      return Effect().none();
    }
    return closeAll(List.of(SessionEvent.Closed.of(requested, outcome, Instant.now())), receipt, receiptTo);
  }

  private Effect<SessionEvent, SessionLedger> closeAll(
      List<SessionEvent.Closed> closings, ServerMessage.Receipt receipt, ActorRef<ServerMessage.Receipt> receiptTo) {
    long issued = System.nanoTime();
    return Effect()
        .persist(List.<SessionEvent>copyOf(closings))
        .thenRun(
            after -> {
              journalWritten(issued);
              if (receiptTo != null) {
                receiptTo.tell(receipt);
              }
              closings.forEach(this::announceClosed);
              if (!after.closed().isEmpty() && !timers.isTimerActive(RETENTION_TIMER)) {
                scheduleRetention(after);
              }
              afterChange(after);
            });
  }

  private void announceClosed(SessionEvent.Closed closed) {
    InteractionOutcome outcome = closed.toOutcome();
    census
        .observer()
        .interactionClosed(outcome.code(), Duration.between(closed.requestedAt(), closed.closedAt()));
    ServerMessage.Closed event = new ServerMessage.Closed(closed.interactionId(), outcome.code());
    connections.values().forEach(connection -> connection.tell(event));
    ActorRef<Interaction.Command> actor = interactions.remove(closed.interactionId());
    if (actor != null) {
      resolving++;
      actor.tell(new Interaction.Resolve(outcome));
    }
  }

  private Effect<SessionEvent, SessionLedger> onInteractionStopped(
      SessionLedger ledger, InteractionStopped stopped) {
    if (interactions.remove(stopped.interactionId()) == null) {
      resolving--;
    }
    return unrecorded(ledger);
  }

  private Effect<SessionEvent, SessionLedger> onAttach(SessionLedger ledger, Attach attach) {
    String connectionId = attach.connectionId();
    if (closing) {
      attach.refuse(sessionId, RequestRefused.shuttingDown());
      return Effect().none();
    }
    if (!connections.containsKey(connectionId)) {
      if (connections.size() >= settings.maxConnectionsPerSession()) {
        census.observer().refused(Refusal.CONNECTION_LIMIT);
        attach.refuse(
            sessionId,
            new RequestRefused(
                Refusal.CONNECTION_LIMIT,
                "session " + sessionId + " already has " + connections.size() + " connections"));
        return Effect().none();
      }
      connections.put(connectionId, attach.connection());
      context.watchWith(attach.connection(), new ConnectionGone(connectionId));
      ledger.pending().values().forEach(p -> attach.connection().tell(p.view()));
    }
    attach.replyTo().tell(new Attached(sessionId, connectionId, ledger.pending().size(), context.getSelf()));
    return unrecorded(ledger);
  }

  private Effect<SessionEvent, SessionLedger> onDetach(SessionLedger ledger, Detach detach) {
    ActorRef<ServerMessage> connection = connections.get(detach.connectionId());
    if (connection != null) {
      context.unwatch(connection);
    }
    return removeConnection(ledger, detach.connectionId());
  }

  private Effect<SessionEvent, SessionLedger> removeConnection(SessionLedger ledger, String connectionId) {
    connections.remove(connectionId);
    return unrecorded(ledger);
  }

  private Effect<SessionEvent, SessionLedger> onGetState(SessionLedger ledger, GetState get) {
    List<ServerMessage.Interaction> views = new ArrayList<>(ledger.pending().size());
    ledger.pending().values().forEach(p -> views.add(p.view()));
    get.replyTo().tell(new SessionState(sessionId, new ArrayList<>(connections.keySet()), views));
    return unrecorded(ledger);
  }

  private Effect<SessionEvent, SessionLedger> onGetInteraction(SessionLedger ledger, GetInteraction get) {
    SessionEvent.Requested pending = ledger.pending().get(get.interactionId());
    SessionEvent.Closed closed = ledger.closed().get(get.interactionId());
    ActorRef<Interaction.Command> actor = interactions.get(get.interactionId());
    if (pending != null && get.awaitOutcome() && actor != null) {
      actor.tell(new Interaction.Await(get.replyTo()));
    } else if (pending != null) {
      get.replyTo().tell(InteractionStatus.pending(sessionId, pending.view()));
    } else if (closed != null) {
      get.replyTo().tell(closedStatus(closed));
    } else {
      get.replyTo().tell(new UnknownInteraction(sessionId, get.interactionId()));
    }
    return unrecorded(ledger);
  }

  private Effect<SessionEvent, SessionLedger> onGraceExpired(SessionLedger ledger, GraceExpired expired) {
    if (ledger.pending().isEmpty() || !connections.isEmpty()) {
      return Effect().none();
    }
    context.getLog().debug("session {}: no client reconnected in time, {} pending", sessionId, ledger.pending().size());
    return closeAllPending(ledger, InteractionOutcome.Disconnected.INSTANCE);
  }

  private Effect<SessionEvent, SessionLedger> closeAllPending(SessionLedger ledger, InteractionOutcome outcome) {
    Instant now = Instant.now();
    List<SessionEvent.Closed> closings = new ArrayList<>(ledger.pending().size());
    ledger.pending().values().forEach(requested -> closings.add(SessionEvent.Closed.of(requested, outcome, now)));
    return closeAll(closings, null, null);
  }

  private Effect<SessionEvent, SessionLedger> onRetentionElapsed(SessionLedger ledger, RetentionElapsed elapsed) {
    ledger.forgetClosedBefore(Instant.now().minus(settings.closedRetention()));
    scheduleRetention(ledger);
    return unrecorded(ledger);
  }

  private Effect<SessionEvent, SessionLedger> onClose(SessionLedger ledger, Close close) {
    closing = true;
    ledger.forgetClosed();
    if (store.durable() || ledger.pending().isEmpty()) {
      // Durable: what is pending stays in the journal and resumes after the restart.
      return unrecorded(ledger);
    }
    return closeAllPending(ledger, InteractionOutcome.Shutdown.INSTANCE);
  }

  private void spawn(SessionEvent.Requested requested, Duration remaining, ActorRef<RequestResult> requester) {
    ActorRef<Interaction.Command> actor =
        context.spawnAnonymous(
            Interaction.create(
                sessionId,
                requested.view(),
                remaining,
                settings.maxWaitersPerInteraction(),
                requester,
                context.getSelf(),
                store.durable()));
    context.watchWith(actor, new InteractionStopped(requested.interactionId()));
    interactions.put(requested.interactionId(), actor);
  }

  private InteractionStatus closedStatus(SessionEvent.Closed closed) {
    return InteractionStatus.closed(sessionId, closed.view(), closed.toOutcome());
  }

  private void announceActive() {
    if (!announcedActive) {
      announcedActive = true;
      roster.active(sessionId);
    }
  }

  private void journalWritten(long issuedAtNanos) {
    census.observer().journalWritten(Duration.ofNanos(System.nanoTime() - issuedAtNanos));
  }

  private void scheduleRetention(SessionLedger ledger) {
    Instant oldest = ledger.oldestClosedAt();
    if (oldest != null) {
      Duration remaining = Duration.between(Instant.now(), oldest.plus(settings.closedRetention()));
      timers.startSingleTimer(
          RETENTION_TIMER, RetentionElapsed.INSTANCE, remaining.isNegative() ? Duration.ZERO : remaining);
    }
  }

  /** Re-evaluates timers and lifetime after every change: the session's life is exactly its content. */
  private void afterChange(SessionLedger ledger) {
    if (closing) {
      if ((store.durable() || ledger.pending().isEmpty()) && resolving == 0) {
        context.getSelf().tell(Stop.INSTANCE);
      }
      return;
    }
    if (connections.isEmpty() && !ledger.pending().isEmpty()) {
      if (!timers.isTimerActive(GRACE_TIMER)) {
        timers.startSingleTimer(GRACE_TIMER, GraceExpired.INSTANCE, settings.reconnectGrace());
      }
    } else {
      timers.cancel(GRACE_TIMER);
    }
    if (connections.isEmpty() && ledger.isEmpty() && resolving == 0) {
      timers.cancelAll();
      passivating = true;
      roster.idle(sessionId);
      passivation.request(context.getSelf());
    }
  }

  /** For commands that record nothing: the runtime may still have changed (a connection, a timer). */
  private Effect<SessionEvent, SessionLedger> unrecorded(SessionLedger ledger) {
    afterChange(ledger);
    return Effect().none();
  }

  private Effect<SessionEvent, SessionLedger> redeliver(Command command) {
    directory.tell(sessionId, command);
    return Effect().none();
  }
}
