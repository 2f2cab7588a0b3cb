package dev.interactions.core;

import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.ServerMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
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

  /** Messages a session understands; they cross nodes. */
  public sealed interface Command extends ClusterMessage {
    /**
     * Answers the sender of this command when the session will not take it (over the node's session bound, shutting
     * down). Commands without a reply have nothing to do.
     */
    default void refuse(String sessionId, RequestRefused refusal) {}
  }

  /** The entity type of sessions in Cluster Sharding; the entity id is the session id. */
  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Session");

  /** The reply to {@link RequestInteraction}. */
  public sealed interface Admission extends ClusterMessage permits Admitted, RequestRefused {}

  /**
   * The interaction exists; {@code created} is false if the request's idempotency key named an interaction the session
   * already had (pending, or closed and still remembered: then the status carries its outcome).
   */
  public record Admitted(InteractionStatus status, boolean created) implements Admission {}

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
   * outcome is recorded. With {@code receiptWithFrames}, and the connection attached to this session, it goes through
   * the connection's {@link Attachment} instead, with the session's frames: between nodes, messages to two different
   * actors may overtake each other, and the answering client must hear its {@code ack} before the {@code closed}.
   */
  public record Respond(
      String interactionId,
      String connectionId,
      InteractionOutcome.Response response,
      String ref,
      ActorRef<ServerMessage.Receipt> replyTo,
      boolean receiptWithFrames)
      implements Command {

    /** A response whose receipt goes to {@code replyTo} (HTTP, the Java API). */
    public Respond(
        String interactionId,
        String connectionId,
        InteractionOutcome.Response response,
        String ref,
        ActorRef<ServerMessage.Receipt> replyTo) {
      this(interactionId, connectionId, response, ref, replyTo, false);
    }

    @Override
    public void refuse(String sessionId, RequestRefused refusal) {
      replyTo.tell(new ServerMessage.Error(ErrorCode.RATE_LIMITED, refusal.message(), interactionId, ref));
    }
  }

  /**
   * Attaches a client connection's {@link Attachment}: it is sent every pending interaction now and every frame from now
   * on, then {@link Attachment.Accepted} (or {@link Attachment.Refused}), all to the same reference.
   */
  public record Attach(String connectionId, ActorRef<Attachment.Command> attachment) implements Command {
    @Override
    public void refuse(String sessionId, RequestRefused refusal) {
      attachment.tell(new Attachment.Refused(refusal));
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
   * {@code replyTo} hears when it has stopped.
   */
  public record Close(ActorRef<Done> replyTo) implements Command {
    @Override
    public void refuse(String sessionId, RequestRefused refusal) {
      replyTo.tell(Done.getInstance());
    }
  }

  /**
   * Stops this incarnation: the shard's stop message, after the session asked to be passivated, or when it hands the
   * session to another node. Interactions whose outcome is recorded but not yet delivered are let finish first.
   */
  public enum Stop implements Command {
    INSTANCE
  }

  /** Self-sent once recovered: decides the lifetime of a session that nothing else addressed (a remembered entity). */
  private enum Settle implements Command {
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

  /** Where a session is in its life; commands are handled by lifecycle. */
  private enum Lifecycle {
    /** Taking work. */
    ACTIVE,
    /** The orchestrator is shutting down: no new work; stops once drained. */
    CLOSING,
    /** Asked its shard to passivate it: commands go back through the shard, which holds them for a new incarnation. */
    PASSIVATING,
    /** Told to stop while interactions still deliver recorded outcomes: stops when they are done. */
    STOPPING,
    /** Started empty on a node already holding its bound of sessions: refuses everything and passivates. */
    REFUSING
  }

  private static final String GRACE_TIMER = "grace";
  private static final String RETENTION_TIMER = "retention";

  /**
   * A session entity of its shard.
   *
   * @param sessionId this session's id (the entity id)
   * @param settings the limits, durations and store that apply
   * @param directory where commands go back to while this incarnation stops
   * @param shard the shard hosting this entity, asked to passivate it
   */
  public static Behavior<Command> create(
      String sessionId,
      OrchestratorSettings settings,
      SessionDirectory directory,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(timers -> new Session(context, timers, sessionId, settings, directory, shard)));
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
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final Census census;
  private final String node;
  private final long startedAt = System.nanoTime();
  /** The actor of each pending interaction; rebuilt from the ledger at recovery. */
  private final Map<String, ActorRef<Interaction.Command>> interactions = new HashMap<>();
  private final AttachedConnections connections = new AttachedConnections();
  /** Who asked this session to close, told once it has stopped. */
  private final List<ActorRef<Done>> closeWaiters = new ArrayList<>();
  /**
   * Interactions told their outcome that have not stopped yet. The session outlives them: stopping it would stop them
   * before they deliver the outcome already recorded.
   */
  private int resolving;
  private Lifecycle lifecycle = Lifecycle.ACTIVE;

  private Session(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      String sessionId,
      OrchestratorSettings settings,
      SessionDirectory directory,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    // A journal failure (writing or recovering) stops the session, as Pekko does by default: what it had not recorded
    // is not answered, and a request refused as "unavailable" is never recorded later behind its caller's back. Its
    // shard starts it again after entity-restart-backoff (remembered entities), as long as it fails, so pending
    // interactions and their deadlines come back by themselves once the database is back.
    super(persistenceId(sessionId));
    this.context = context;
    this.timers = timers;
    this.sessionId = sessionId;
    this.settings = settings;
    this.store = settings.store();
    this.directory = directory;
    this.shard = shard;
    this.census = Census.get(context.getSystem());
    this.node = hostPort(context.getSystem().address());
    census.sessionStarted();
  }

  /** {@code host:port} of a node's address, as {@code GET /v1/sessions/{id}} reports it. */
  static String hostPort(Address address) {
    return address.getHost().orElse("") + ":" + address.getPort().map(String::valueOf).orElse("");
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
        .onAnyEvent((ledger, event) -> ledger.apply(event, lifecycle == Lifecycle.CLOSING ? 0 : rememberAtMost));
  }

  @Override
  public SignalHandler<SessionLedger> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecoveryCompleted)
        .onSignal(RecoveryFailed.class, (ledger, failed) -> onRecoveryFailed(failed))
        .onSignal(PostStop.instance(), ledger -> onPostStop())
        .build();
  }

  @Override
  public CommandHandler<Command, SessionEvent, SessionLedger> commandHandler() {
    CommandHandlerBuilder<Command, SessionEvent, SessionLedger> builder = newCommandHandlerBuilder();
    // Stopping: work that still reaches this incarnation goes back through the shard, which holds it until this actor
    // has stopped and hands it to a fresh incarnation. Nothing is lost in the gap.
    builder
        .forState(ledger -> lifecycle == Lifecycle.PASSIVATING || lifecycle == Lifecycle.STOPPING)
        .onCommand(Stop.class, this::onStop)
        .onCommand(InteractionStopped.class, this::onInteractionStopped)
        .onCommand(Expire.class, ignored -> Effect().none())
        .onCommand(Settle.class, ignored -> Effect().none())
        .onCommand(ConnectionGone.class, ignored -> Effect().none())
        .onCommand(GraceExpired.class, ignored -> Effect().none())
        .onCommand(RetentionElapsed.class, ignored -> Effect().none())
        .onAnyCommand(this::redeliver);
    builder
        .forState(ledger -> lifecycle == Lifecycle.REFUSING)
        .onCommand(Stop.class, stop -> Effect().stop())
        .onAnyCommand(this::refuseOverBound);
    builder
        .forState(ledger -> lifecycle == Lifecycle.CLOSING)
        .onCommand(RequestInteraction.class, (ledger, request) -> refuse(request, RequestRefused.shuttingDown()))
        .onCommand(Attach.class, (ledger, attach) -> refuse(attach, RequestRefused.shuttingDown()));
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
        .onCommand(Settle.class, (ledger, settle) -> unrecorded(ledger))
        .onCommand(Close.class, this::onClose)
        .onCommand(Stop.class, this::onStop);
    return builder.build();
  }

  private void onRecoveryCompleted(SessionLedger ledger) {
    if (!ledger.pending().isEmpty()) {
      census.observer().sessionRecovered(Duration.ofNanos(System.nanoTime() - startedAt));
      context.getLog().info("session {}: recovered {} pending interactions", sessionId, ledger.pending().size());
    } else if (census.sessions() > settings.maxSessions()) {
      // The node's bound of sessions: a new, empty session is not taken on. Existing ones (with pending work) always are.
      lifecycle = Lifecycle.REFUSING;
      shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
      return;
    }
    if (CoordinatedShutdown.get(context.getSystem()).getShutdownReason().isPresent()) {
      // Started while this node shuts down (a late request): it takes no new work.
      lifecycle = Lifecycle.CLOSING;
    }
    ledger.forgetClosedBefore(Instant.now().minus(settings.closedRetention()));
    // Overdue interactions get a zero-length deadline: they expire at once, through the same path as any other.
    Instant now = Instant.now();
    ledger.pending().values().forEach(requested -> spawn(requested, Duration.between(now, requested.expiresAt()), null));
    scheduleRetention(ledger);
    // Whatever started this incarnation is handled first; then, if nothing holds it, it passivates.
    context.getSelf().tell(Settle.INSTANCE);
  }

  private void onRecoveryFailed(RecoveryFailed failed) {
    context.getLog().warn("session {}: could not recover from the journal; its shard restarts it: {}", sessionId, failed.getFailure().toString());
  }

  private void onPostStop() {
    census.sessionStopped();
    if (lifecycle == Lifecycle.CLOSING) {
      // Closed for a shutdown: its clients must not attach again to a session that would only be closed again.
      Attachment.Refused closed = new Attachment.Refused(RequestRefused.shuttingDown());
      connections.attachments().forEach(attachment -> attachment.tell(closed));
    }
    closeWaiters.forEach(waiter -> waiter.tell(Done.getInstance()));
  }

  private Effect<SessionEvent, SessionLedger> refuse(Command command, RequestRefused refusal) {
    census.observer().refused(refusal.reason());
    command.refuse(sessionId, refusal);
    return Effect().none();
  }

  private Effect<SessionEvent, SessionLedger> refuseOverBound(Command command) {
    return refuse(
        command,
        new RequestRefused(
            Refusal.SESSION_LIMIT, "this node already holds " + settings.maxSessions() + " sessions, the configured maximum"));
  }

  private Effect<SessionEvent, SessionLedger> onRequestInteraction(SessionLedger ledger, RequestInteraction request) {
    SessionLedger.RequestDecision decision =
        ledger.decideRequest(
            sessionId,
            request.interactionId(),
            request.request(),
            request.timeout(),
            settings.maxPendingPerSession(),
            Instant.now());
    if (decision instanceof SessionLedger.Repeat repeat) {
      return onRepeatedRequest(ledger, request, repeat.interactionId());
    } else if (decision instanceof SessionLedger.Refuse refuse) {
      return refuse(request, refuse.refusal());
    }
    SessionEvent.Requested requested = ((SessionLedger.Record) decision).event();
    long issued = System.nanoTime();
    return Effect()
        .persist(requested)
        .thenRun(
            after -> {
              journalWritten(issued);
              spawn(requested, request.timeout(), request.requester());
              ServerMessage.Interaction view = requested.view();
              connections.broadcast(view);
              request.replyTo().tell(new Admitted(InteractionStatus.pending(sessionId, view), true));
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
    Consumer<ServerMessage.Receipt> receiptTo = receiptTo(respond);
    if (ledger.pending().containsKey(id)) {
      // The answering client gets its ack before anyone hears "closed".
      return close(ledger, id, respond.response(), new ServerMessage.Ack(id, respond.ref()), receiptTo);
    }
    SessionEvent.Closed closed = ledger.closed().get(id);
    receiptTo.accept(
        closed != null
            ? Interaction.alreadyClosed(id, closed.toOutcome(), respond.ref())
            : new ServerMessage.Error(
                ErrorCode.UNKNOWN_INTERACTION, "no interaction " + id + " in session " + sessionId, id, respond.ref()));
    return Effect().none();
  }

  private Consumer<ServerMessage.Receipt> receiptTo(Respond respond) {
    ActorRef<Attachment.Command> attachment =
        respond.receiptWithFrames() ? connections.get(respond.connectionId()) : null;
    return attachment != null
        ? receipt -> attachment.tell(new Attachment.Frame(receipt))
        : receipt -> respond.replyTo().tell(receipt);
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
      Consumer<ServerMessage.Receipt> receiptTo) {
    return ledger
        .decideClose(id, outcome, Instant.now())
        .map(closing -> closeAll(List.of(closing), receipt, receiptTo))
        .orElseGet(() -> Effect().none());
  }

  private Effect<SessionEvent, SessionLedger> closeAll(
      List<SessionEvent.Closed> closings, ServerMessage.Receipt receipt, Consumer<ServerMessage.Receipt> receiptTo) {
    long issued = System.nanoTime();
    return Effect()
        .persist(List.<SessionEvent>copyOf(closings))
        .thenRun(
            after -> {
              journalWritten(issued);
              if (receiptTo != null) {
                receiptTo.accept(receipt);
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
    connections.broadcast(new ServerMessage.Closed(closed.interactionId(), outcome.code()));
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
    if (!connections.contains(connectionId)) {
      if (connections.size() >= settings.maxConnectionsPerSession()) {
        return refuse(
            attach,
            new RequestRefused(
                Refusal.CONNECTION_LIMIT,
                "session " + sessionId + " already has " + connections.size() + " connections"));
      }
      connections.add(connectionId, attach.attachment());
      context.watchWith(attach.attachment(), new ConnectionGone(connectionId));
    }
    // Every (re-)attachment is a replay: the connection ends it with "synced".
    ledger.pending().values().forEach(p -> attach.attachment().tell(new Attachment.Frame(p.view())));
    attach.attachment().tell(new Attachment.Accepted(ledger.pending().size(), context.getSelf(), node));
    return unrecorded(ledger);
  }

  private Effect<SessionEvent, SessionLedger> onDetach(SessionLedger ledger, Detach detach) {
    ActorRef<Attachment.Command> attachment = connections.remove(detach.connectionId());
    if (attachment != null) {
      context.unwatch(attachment);
    }
    return unrecorded(ledger);
  }

  private Effect<SessionEvent, SessionLedger> removeConnection(SessionLedger ledger, String connectionId) {
    connections.remove(connectionId);
    return unrecorded(ledger);
  }

  private Effect<SessionEvent, SessionLedger> onGetState(SessionLedger ledger, GetState get) {
    List<ServerMessage.Interaction> views = new ArrayList<>(ledger.pending().size());
    ledger.pending().values().forEach(p -> views.add(p.view()));
    get.replyTo().tell(new SessionState(sessionId, connections.ids(), views, node));
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
    return closeAll(ledger.decideCloseAll(outcome, Instant.now()), null, null);
  }

  private Effect<SessionEvent, SessionLedger> onRetentionElapsed(SessionLedger ledger, RetentionElapsed elapsed) {
    ledger.forgetClosedBefore(Instant.now().minus(settings.closedRetention()));
    scheduleRetention(ledger);
    return unrecorded(ledger);
  }

  private Effect<SessionEvent, SessionLedger> onClose(SessionLedger ledger, Close close) {
    lifecycle = Lifecycle.CLOSING;
    closeWaiters.add(close.replyTo());
    ledger.forgetClosed();
    if (store.durable() || ledger.pending().isEmpty()) {
      // Durable: what is pending stays in the journal and resumes after the restart.
      return unrecorded(ledger);
    }
    return closeAllPending(ledger, InteractionOutcome.Shutdown.INSTANCE);
  }

  private Effect<SessionEvent, SessionLedger> onStop(SessionLedger ledger, Stop stop) {
    if (resolving == 0) {
      return Effect().stop();
    }
    lifecycle = Lifecycle.STOPPING;
    return Effect().none();
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
    switch (lifecycle) {
      case STOPPING -> {
        if (resolving == 0) {
          context.getSelf().tell(Stop.INSTANCE);
        }
      }
      case CLOSING -> {
        if ((store.durable() || ledger.pending().isEmpty()) && resolving == 0) {
          context.getSelf().tell(Stop.INSTANCE);
        }
      }
      case ACTIVE -> {
        if (connections.isEmpty() && !ledger.pending().isEmpty()) {
          if (!timers.isTimerActive(GRACE_TIMER)) {
            timers.startSingleTimer(GRACE_TIMER, GraceExpired.INSTANCE, settings.reconnectGrace());
          }
        } else {
          timers.cancel(GRACE_TIMER);
        }
        if (connections.isEmpty() && ledger.isEmpty() && resolving == 0) {
          timers.cancelAll();
          lifecycle = Lifecycle.PASSIVATING;
          shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
        }
      }
      default -> {
        // PASSIVATING and REFUSING wait for the shard's Stop.
      }
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
