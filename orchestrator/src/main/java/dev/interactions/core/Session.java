package dev.interactions.core;

import dev.interactions.protocol.ServerMessage;
import dev.interactions.protocol.WhenNoDevice;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.Done;
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
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
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
public final class Session
    extends EventSourcedBehaviorWithEnforcedReplies<Session.Command, SessionEvent, SessionLedger> {

  /** Messages a session understands; they cross nodes. */
  public sealed interface Command extends ClusterMessage {}

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
      implements Command {}

  /**
   * Sends {@code follower} the interaction's one {@link RequestResult}, as to its requester: a requester whose session
   * incarnation stopped before the outcome (it heard {@link Suspended}) follows the interaction to the next one. A
   * session that does not serve the interaction now answers {@link Suspended} again.
   */
  public record FollowInteraction(String interactionId, ActorRef<RequestResult> follower) implements Command {}

  /** Cancels a pending interaction on behalf of its requester; clients are told it closed. */
  public record CancelInteraction(String interactionId) implements Command {}

  /**
   * Reads an interaction. With {@code awaitOutcome}, the reply comes when it closes (or at once if it has), so the caller
   * bounds the wait with its ask timeout; without, the reply is immediate.
   */
  public record GetInteraction(String interactionId, boolean awaitOutcome, ActorRef<InteractionLookup> replyTo)
      implements Command {}

  /**
   * A client's answer or rejection, from {@code device} (the session audits it as the attached connection it names, see
   * {@link Device}); the receipt goes to {@code replyTo} once the outcome is recorded. With {@code receiptWithFrames},
   * and the connection attached to this session, it goes through the connection's {@link Attachment} instead, with the
   * session's frames: between nodes, messages to two different actors may overtake each other, and the answering client
   * must hear its {@code ack} before the {@code closed}.
   */
  public record Respond(
      String interactionId,
      Device device,
      InteractionOutcome.Response response,
      String ref,
      ActorRef<ServerMessage.Receipt> replyTo,
      boolean receiptWithFrames)
      implements Command {

    /** The connection it names. */
    public String connectionId() {
      return device.connectionId();
    }
  }

  /**
   * Connection {@code connectionId} shows interaction {@code interactionId}. The first one is recorded and every
   * connection hears {@code shown}; later ones change nothing. An unknown id is answered with an error, to the
   * connection's attachment with {@code receiptWithFrames} (as for {@link Respond}), else to {@code replyTo}, which also
   * hears {@code ack} otherwise (a WebSocket client learns from the {@code shown} frame).
   */
  public record Shown(
      String interactionId, Device device, ActorRef<ServerMessage.Receipt> replyTo, boolean receiptWithFrames)
      implements Command {

    /** The connection it names. */
    public String connectionId() {
      return device.connectionId();
    }
  }

  /**
   * Someone on {@code device} works on an answer: the deadline moves to at least {@code by} from now,
   * never beyond the request's latest expiry; every connection hears {@code extended}. The receipt ({@code ack}, or an
   * error if the interaction is not pending) goes to {@code replyTo} or with the frames, as for {@link Respond}.
   */
  public record Extend(
      String interactionId,
      Device device,
      Duration by,
      String ref,
      ActorRef<ServerMessage.Receipt> replyTo,
      boolean receiptWithFrames)
      implements Command {

    /** The connection it names. */
    public String connectionId() {
      return device.connectionId();
    }
  }

  /**
   * Attaches a client connection's {@link Attachment}: it is sent every pending interaction now and every frame from now
   * on, then {@link Attachment.Accepted} (or {@link Attachment.Refused}), all to the same reference.
   */
  public record Attach(Device device, ActorRef<Attachment.Command> attachment) implements Command {

    /** The attaching connection. */
    public String connectionId() {
      return device.connectionId();
    }
  }

  /** Detaches a connection that is closing cleanly. */
  public record Detach(String connectionId) implements Command {}

  /**
   * Asks for the session's connections and pending interactions: all of them, or with {@code viewer} (null: a
   * requester) each as that device is sent it (read-only, or not at all; see {@link Answerers}).
   */
  public record GetState(Device viewer, ActorRef<SessionState> replyTo) implements Command {

    /** A requester's read: every pending interaction as it is. */
    public GetState(ActorRef<SessionState> replyTo) {
      this(null, replyTo);
    }
  }

  /**
   * The orchestrator is shutting down. A session kept in memory ends every pending interaction as {@code shutdown} and
   * stops once none is pending; a durable session stops at once, its pending interactions staying in the journal.
   * {@code replyTo} hears when it has stopped.
   */
  public record Close(ActorRef<Done> replyTo) implements Command {}

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

  // Sent by the session's own children, watches and timers (see SessionRuntime), never from outside the package.

  /** A child interaction's deadline passed. */
  record Expire(String interactionId) implements Command {}

  /** A child interaction's delivery deadline passed. */
  record DeliveryExpired(String interactionId) implements Command {}

  /** A watched connection's attachment stopped (or its node was downed). */
  record ConnectionGone(String connectionId) implements Command {}

  /** A child interaction stopped: after delivering its outcome, or because it failed. */
  record InteractionStopped(String interactionId) implements Command {}

  /** The reconnect grace ran out. */
  enum GraceExpired implements Command {
    INSTANCE
  }

  /** The newest remembered outcome passed its retention. */
  enum RetentionElapsed implements Command {
    INSTANCE
  }

  /**
   * A session entity of its shard.
   *
   * @param sessionId this session's id (the entity id)
   * @param settings the limits, durations and store that apply
   * @param directory where commands go back to while this incarnation stops
   * @param remembered reads what the session remembers of closed interactions
   * @param shard the shard hosting this entity, asked to passivate it
   */
  static Behavior<Command> create(
      String sessionId,
      OrchestratorSettings settings,
      SessionDirectory directory,
      RememberedOutcomes remembered,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new Session(context, timers, sessionId, settings, directory, remembered, shard)));
  }

  /** The persistence id of session {@code sessionId}: its events are found under it. */
  public static PersistenceId persistenceId(String sessionId) {
    return PersistenceId.of("Session", sessionId);
  }

  private final ActorContext<Command> context;
  private final String sessionId;
  private final OrchestratorSettings settings;
  private final StoreSettings store;
  private final SessionDirectory directory;
  private final SessionLedger.Remembering remembering;
  private final Census census;
  private final SessionRuntime runtime;
  private final SessionReads reads;
  private final SessionOutcomes outcomes;
  private final long startedAt = System.nanoTime();

  private Session(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      String sessionId,
      OrchestratorSettings settings,
      SessionDirectory directory,
      RememberedOutcomes remembered,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    // A journal failure (writing or recovering) stops the session, as Pekko does by default: what it had not recorded
    // is not answered, and a request refused as "unavailable" is never recorded later behind its caller's back. Its
    // shard starts it again after entity-restart-backoff (remembered entities), as long as it fails, so pending
    // interactions and their deadlines come back by themselves once the database is back.
    super(persistenceId(sessionId));
    this.context = context;
    this.sessionId = sessionId;
    this.settings = settings;
    this.store = settings.store();
    this.directory = directory;
    this.remembering =
        new SessionLedger.Remembering(settings.closedRetentionMax(), settings.closedRetention(), store.durable());
    this.census = Census.get(context.getSystem());
    this.runtime = new SessionRuntime(context, timers, shard, sessionId, settings);
    this.reads = new SessionReads(sessionId, runtime, remembered, census, Effect());
    this.outcomes = new SessionOutcomes(sessionId, runtime, Effect());
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
  public SnapshotAdapter<SessionLedger> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(SessionLedger ledger) {
        return ledger.forSnapshot(); // taken on this actor's thread, serialized on the store's
      }

      @Override
      public SessionLedger fromJournal(Object snapshot) {
        return (SessionLedger) snapshot;
      }
    };
  }

  @Override
  public SessionLedger emptyState() {
    return new SessionLedger();
  }

  @Override
  public EventHandler<SessionLedger, SessionEvent> eventHandler() {
    // A lambda, not the builder: its cases would be made for every instance, as the command handler's would.
    return (ledger, event) -> ledger.apply(event, runtime.sequenceNrOf(lastSequenceNumber(context)), remembering);
  }

  @Override
  public SignalHandler<SessionLedger> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecoveryCompleted)
        .onSignal(RecoveryFailed.class, (ledger, failed) -> onRecoveryFailed(failed))
        .onSignal(PostStop.instance(), ledger -> runtime.stopped())
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, SessionEvent, SessionLedger> commandHandler() {
    // One method that picks the handlers by lifecycle state, not Pekko's command-handler builder: the builder's cases
    // and lambdas are made for every session instance, ≈ 3.8 kB of an idle session's 10.6 kB (measured).
    return this::handle;
  }

  private ReplyEffect<SessionEvent, SessionLedger> handle(SessionLedger ledger, Command command) {
    return switch (runtime.lifecycle()) {
      case ACTIVE -> serve(ledger, command);
      case CLOSING -> whileClosing(ledger, command);
      case PASSIVATING, STOPPING -> whileStopping(ledger, command);
      case REFUSING -> whileRefusing(ledger, command);
    };
  }

  private ReplyEffect<SessionEvent, SessionLedger> serve(SessionLedger ledger, Command command) {
    if (command instanceof RequestInteraction request) {
      return onRequestInteraction(ledger, request);
    } else if (command instanceof Respond respond) {
      return outcomes.respond(ledger, respond);
    } else if (command instanceof CancelInteraction cancel) {
      return outcomes.close(ledger, cancel.interactionId(), InteractionOutcome.Cancelled.INSTANCE);
    } else if (command instanceof Expire expire) {
      return outcomes.expire(ledger, expire.interactionId());
    } else if (command instanceof DeliveryExpired expired) {
      return outcomes.closing(ledger.decideUndelivered(expired.interactionId(), Instant.now()));
    } else if (command instanceof Shown shown) {
      return outcomes.shown(ledger, shown);
    } else if (command instanceof Extend extend) {
      return outcomes.extend(ledger, extend);
    } else if (command instanceof Attach attach) {
      return onAttach(ledger, attach);
    } else if (command instanceof Detach detach) {
      return changed(ledger, () -> runtime.detach(detach.connectionId()));
    } else if (command instanceof ConnectionGone gone) {
      return changed(ledger, () -> runtime.connectionGone(gone.connectionId()));
    } else if (command instanceof InteractionStopped stopped) {
      return onInteractionStopped(ledger, stopped);
    } else if (command instanceof GraceExpired) {
      return onGraceExpired(ledger);
    } else if (command instanceof RetentionElapsed) {
      return changed(ledger, () -> runtime.scheduleRetention(ledger));
    } else if (command instanceof Settle) {
      return changed(ledger, () -> {});
    } else if (command instanceof Close close) {
      return onClose(ledger, close);
    } else if (command instanceof Stop) {
      return onStop();
    }
    return reads.read(ledger, command);
  }

  /** Shutting down: no new work; the rest as usual until what is pending has ended (memory store). */
  private ReplyEffect<SessionEvent, SessionLedger> whileClosing(SessionLedger ledger, Command command) {
    if (command instanceof RequestInteraction request) {
      return refuse(request, RequestRefused.shuttingDown());
    } else if (command instanceof Attach attach) {
      return refuse(attach, RequestRefused.shuttingDown());
    }
    return serve(ledger, command);
  }

  /**
   * Stopping: work that still reaches this incarnation goes back through the shard, which holds it until this actor
   * has stopped and hands it to a fresh incarnation. Nothing is lost in the gap.
   */
  private ReplyEffect<SessionEvent, SessionLedger> whileStopping(SessionLedger ledger, Command command) {
    if (command instanceof Stop) {
      return onStop();
    } else if (command instanceof InteractionStopped stopped) {
      return onInteractionStopped(ledger, stopped);
    } else if (command instanceof Expire
        || command instanceof DeliveryExpired
        || command instanceof Settle
        || command instanceof ConnectionGone
        || command instanceof GraceExpired
        || command instanceof RetentionElapsed) {
      return Effect().noReply(); // this incarnation's own business, over with it
    }
    directory.tell(sessionId, command);
    return Effect().noReply();
  }

  /**
   * Over the node's bound it takes on nothing, but what it recovered can still be read and late answers are told how
   * their interaction ended.
   */
  private ReplyEffect<SessionEvent, SessionLedger> whileRefusing(SessionLedger ledger, Command command) {
    if (command instanceof RequestInteraction request) {
      return refuse(request, overBound());
    } else if (command instanceof Attach attach) {
      return refuse(attach, overBound());
    } else if (command instanceof Respond || command instanceof Shown || command instanceof Extend) {
      return serve(ledger, command);
    } else if (command instanceof GetState || command instanceof GetInteraction || command instanceof FollowInteraction) {
      return reads.read(ledger, command);
    } else if (command instanceof Close close) {
      runtime.tellWhenStopped(close.replyTo());
      return Effect().noReply(); // told when this incarnation has stopped
    } else if (command instanceof Stop) {
      return Effect().stop().thenNoReply();
    }
    return Effect().noReply();
  }

  private void onRecoveryCompleted(SessionLedger ledger) {
    runtime.recovered(lastSequenceNumber(context));
    if (!ledger.pending().isEmpty()) {
      census.observer().sessionRecovered(Duration.ofNanos(System.nanoTime() - startedAt));
      context.getLog().info("session {}: recovered {} pending interactions", sessionId, ledger.pending().size());
    } else if (census.sessions() > settings.maxSessions()) {
      // The node's bound of sessions: a new, empty session is not taken on. Existing ones (with pending work) always are.
      runtime.refuseAndPassivate();
      return;
    }
    if (CoordinatedShutdown.get(context.getSystem()).getShutdownReason().isPresent()) {
      // Started while this node shuts down (a late request): it takes no new work.
      runtime.enter(SessionLifecycle.CLOSING);
    }
    runtime.resume(ledger.pending().values());
    runtime.scheduleRetention(ledger);
    // Whatever started this incarnation is handled first; then, if nothing holds it, it passivates.
    context.getSelf().tell(Settle.INSTANCE);
  }

  private void onRecoveryFailed(RecoveryFailed failed) {
    context.getLog().warn("session {}: could not recover from the journal; its shard restarts it: {}", sessionId, failed.getFailure().toString());
  }

  private RequestRefused overBound() {
    return new RequestRefused(
        Refusal.SESSION_LIMIT, "this node already holds " + settings.maxSessions() + " sessions, the configured maximum");
  }

  private ReplyEffect<SessionEvent, SessionLedger> refuse(RequestInteraction request, RequestRefused refusal) {
    census.observer().refused(refusal.reason());
    request.requester().tell(refusal);
    return Effect().reply(request.replyTo(), refusal);
  }

  private ReplyEffect<SessionEvent, SessionLedger> refuse(Attach attach, RequestRefused refusal) {
    census.observer().refused(refusal.reason());
    return Effect().reply(attach.attachment(), new Attachment.Refused(refusal));
  }

  private ReplyEffect<SessionEvent, SessionLedger> onRequestInteraction(SessionLedger ledger, RequestInteraction request) {
    Instant now = Instant.now();
    SessionLedger.RequestDecision decision =
        ledger.decideRequest(
            sessionId,
            request.interactionId(),
            request.request(),
            request.timeout(),
            request.request().delivery().whenNoDevice(settings),
            settings.maxPendingPerSession(),
            now,
            runtime.rememberedSince(now));
    if (decision instanceof SessionLedger.Repeat repeat) {
      return reads.repeat(ledger, request, repeat.interactionId());
    } else if (decision instanceof SessionLedger.Refuse refuse) {
      return refuse(request, refuse.refusal());
    }
    SessionEvent.Requested requested = ((SessionLedger.Record) decision).event();
    if (requested.delivery().whenNoDevice() == WhenNoDevice.FAIL && !runtime.hasConnectionFor(requested.answerers())) {
      return undeliverable(request, requested, now);
    }
    long issued = System.nanoTime();
    return Effect()
        .persist(requested)
        .thenRun(
            after -> {
              runtime.journalWritten(issued);
              runtime.spawn(requested, request.timeout(), request.requester());
              runtime.offer(requested);
              afterChange(after);
            })
        .thenReply(request.replyTo(), after -> new Admitted(InteractionStatus.pending(sessionId, requested.view()), true));
  }

  /**
   * A request that is to fail when no device is connected, made while none is: recorded, and closed as undelivered in
   * the same write (so an idempotent retry finds its outcome), without an interaction actor.
   */
  private ReplyEffect<SessionEvent, SessionLedger> undeliverable(
      RequestInteraction request, SessionEvent.Requested requested, Instant now) {
    SessionEvent.Closed undelivered = SessionEvent.Closed.of(requested, InteractionOutcome.Undelivered.INSTANCE, now);
    long issued = System.nanoTime();
    return Effect()
        .persist(List.of(requested, undelivered))
        .thenRun(
            after -> {
              runtime.journalWritten(issued);
              runtime.closedUnspawned(undelivered);
              request.requester().tell(InteractionOutcome.Undelivered.INSTANCE);
              runtime.rememberOutcomes(after);
              afterChange(after);
            })
        .thenReply(
            request.replyTo(),
            after ->
                new Admitted(
                    InteractionStatus.closed(sessionId, undelivered.view(), InteractionOutcome.Undelivered.INSTANCE), true));
  }

  private ReplyEffect<SessionEvent, SessionLedger> onInteractionStopped(SessionLedger ledger, InteractionStopped stopped) {
    return changed(ledger, () -> runtime.interactionStopped(stopped.interactionId()));
  }

  private ReplyEffect<SessionEvent, SessionLedger> onAttach(SessionLedger ledger, Attach attach) {
    RequestRefused refused = runtime.attach(attach.device(), attach.attachment());
    if (refused != null) {
      return refuse(attach, refused);
    }
    int replayed = runtime.replay(attach.device(), attach.attachment(), ledger.pending().values());
    afterChange(ledger);
    return Effect().reply(attach.attachment(), runtime.accepted(replayed));
  }

  private ReplyEffect<SessionEvent, SessionLedger> onGraceExpired(SessionLedger ledger) {
    if (!runtime.awaitingReconnect(ledger, runtime.rememberedSince(Instant.now()))) {
      return Effect().noReply();
    }
    context.getLog().debug("session {}: no client reconnected in time, {} pending", sessionId, ledger.pending().size());
    return outcomes.closeAll(ledger.decideDisconnected(Instant.now()), null, null).thenNoReply();
  }

  private ReplyEffect<SessionEvent, SessionLedger> onClose(SessionLedger ledger, Close close) {
    runtime.enter(SessionLifecycle.CLOSING);
    runtime.tellWhenStopped(close.replyTo());
    if (store.durable() || ledger.pending().isEmpty()) {
      // Durable: what is pending stays in the journal and resumes after the restart.
      return changed(ledger, () -> {});
    }
    return outcomes.closeAll(ledger.decideCloseAll(InteractionOutcome.Shutdown.INSTANCE, Instant.now()), null, null).thenNoReply();
  }

  private ReplyEffect<SessionEvent, SessionLedger> onStop() {
    return runtime.stopWhenDelivered() ? Effect().noReply() : Effect().stop().thenNoReply();
  }

  private void afterChange(SessionLedger ledger) {
    runtime.afterChange(ledger);
  }

  /** For commands that record nothing: the runtime may still have changed (a connection, a timer). */
  private ReplyEffect<SessionEvent, SessionLedger> changed(SessionLedger ledger, Runnable change) {
    change.run();
    afterChange(ledger);
    return Effect().noReply();
  }

}
