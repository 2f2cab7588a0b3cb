package dev.interactions.core;

import dev.interactions.protocol.AnswerProblem;
import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.ServerMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The live part of one {@link Session} incarnation, as opposed to its record (the {@link SessionLedger}): the actor of
 * each pending {@link Interaction} (its children), the connections attached to it (watched), its timers, where it is in
 * its {@link SessionLifecycle}, and who waits for it to stop. None of it is recovered: a new incarnation spawns the interactions of its ledger again, and connections attach
 * again by themselves (see {@link Attachment}). Owned and used by its session actor only, from its command handlers.
 */
final class SessionRuntime {

  private static final String GRACE_TIMER = "grace";
  private static final String RETENTION_TIMER = "retention";

  private final ActorContext<Session.Command> context;
  private final TimerScheduler<Session.Command> timers;
  /** The shard hosting the session, asked to passivate it. */
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final String sessionId;
  private final OrchestratorSettings settings;
  private final Census census;
  /** This node as {@code GET /v1/sessions/{id}} reports it. */
  private final String node;
  private final Map<String, ActorRef<Interaction.Command>> interactions = new HashMap<>();
  /** The compiled answer schemas of pending interactions that have been answered at least once. */
  private Map<String, AnswerSchema> answerSchemas; // null while none is: not part of every idle session
  private final AttachedConnections connections = new AttachedConnections();
  private final List<ActorRef<Done>> closeWaiters = new ArrayList<>(0);
  /**
   * Interactions told their outcome that have not stopped yet. The session outlives them: stopping it would stop them
   * before they deliver the outcome already recorded.
   */
  private int resolving;
  private SessionLifecycle lifecycle = SessionLifecycle.ACTIVE;
  /** The journal sequence number of the last event applied, once recovered; -1 while recovering. */
  private long sequenceNr = -1;

  SessionRuntime(
      ActorContext<Session.Command> context,
      TimerScheduler<Session.Command> timers,
      ActorRef<ClusterSharding.ShardCommand> shard,
      String sessionId,
      OrchestratorSettings settings) {
    this.context = context;
    this.timers = timers;
    this.shard = shard;
    this.sessionId = sessionId;
    this.settings = settings;
    this.census = Census.get(context.getSystem());
    this.node = hostPort(context.getSystem().address());
    census.sessionStarted();
  }

  /**
   * The journal sequence number of the event being applied, given what Pekko reports for it ({@code reported}). While
   * the session replays its journal that is right; afterwards it is counted here, because Pekko reports the last
   * replayed number for events persisted while it hands the commands stashed during recovery to the running session
   * (its current behaviour is still the replaying one then): a remembered outcome would point one entry too early.
   * The count is right because every incarnation of the session recovers with a new runtime; a persistence-failure
   * restart inside the same instance (Pekko's {@code onPersistFailure}) would need {@link #recovered} again.
   */
  long sequenceNrOf(long reported) {
    return sequenceNr < 0 ? reported : ++sequenceNr;
  }

  /** Recovery ended at journal entry {@code lastSequenceNr} (the snapshot's, or the last event replayed). */
  void recovered(long lastSequenceNr) {
    sequenceNr = lastSequenceNr;
  }

  /** {@code host:port} of a node's address, as {@code GET /v1/sessions/{id}} reports it. */
  static String hostPort(Address address) {
    return address.getHost().orElse("") + ":" + address.getPort().map(String::valueOf).orElse("");
  }

  /** Starts the actor of a pending interaction, its deadline {@code remaining} from now; {@code requester} may be null. */
  void spawn(SessionEvent.Requested requested, Duration remaining, ActorRef<RequestResult> requester) {
    SessionEvent.Delivery delivery = requested.delivery();
    Duration untilDelivery =
        delivery.deliverBy() == null || delivery.isShown() ? null : Duration.between(Instant.now(), delivery.deliverBy());
    ActorRef<Interaction.Command> actor =
        context.spawnAnonymous(
            Interaction.create(
                sessionId,
                requested.view(),
                remaining,
                untilDelivery,
                settings.maxWaitersPerInteraction(),
                requester,
                context.getSelf(),
                settings.store().durable()));
    context.watchWith(actor, new Session.InteractionStopped(requested.interactionId()));
    interactions.put(requested.interactionId(), actor);
    connections.restrict(requested);
  }

  /** Sends a new pending interaction to every connection that sees it (read-only to those that may not answer it). */
  void offer(SessionEvent.Requested requested) {
    connections.offer(requested);
  }

  /** Spawns the interactions of a recovered ledger; overdue ones get a zero-length deadline and expire at once. */
  void resume(Collection<SessionEvent.Requested> pending) {
    Instant now = Instant.now();
    pending.forEach(requested -> spawn(requested, Duration.between(now, requested.expiresAt()), null));
  }

  /** Tells everyone of a recorded outcome: connections hear {@code closed}, the interaction delivers it and stops. */
  void announce(SessionEvent.Closed closed) {
    InteractionOutcome outcome = closed.toOutcome();
    census.observer().interactionClosed(outcome.code(), Duration.between(closed.requestedAt(), closed.closedAt()));
    if (closed.audit() != null && closed.audit().answeredAt() != null) {
      census
          .observer()
          .responded(StandardKind.metricLabel(closed.kind()), Duration.ofMillis(closed.audit().timeToAnswerMs()));
    }
    connections.broadcastAbout(closed.interactionId(), new ServerMessage.Closed(closed.interactionId(), outcome.code()));
    connections.forget(closed.interactionId());
    if (answerSchemas != null && answerSchemas.remove(closed.interactionId()) != null && answerSchemas.isEmpty()) {
      answerSchemas = null;
    }
    ActorRef<Interaction.Command> actor = interactions.remove(closed.interactionId());
    if (actor != null) {
      resolving++;
      actor.tell(new Interaction.Resolve(outcome, closed.audit()));
    }
  }

  /**
   * The refusal of an answer to pending {@code requested} that does not fit its answer schema, or null if it fits (or
   * is a rejection, or the interaction has no schema). The schema is compiled at the first answer and kept while the
   * interaction is pending, so a second attempt is not compiled again.
   */
  ServerMessage.Error invalidAnswer(SessionEvent.Requested requested, InteractionOutcome.Response response, String ref) {
    if (!(response instanceof InteractionOutcome.Answered answered)) {
      return null;
    }
    AnswerSchema schema = answerSchemas == null ? null : answerSchemas.get(requested.interactionId());
    if (schema == null) {
      Optional<AnswerSchema> compiled = AnswerSchema.of(requested);
      if (compiled.isEmpty()) {
        return null;
      }
      schema = compiled.get();
      if (answerSchemas == null) {
        answerSchemas = new HashMap<>(4);
      }
      answerSchemas.put(requested.interactionId(), schema);
    }
    List<AnswerProblem> problems = schema.problems(answered.value());
    if (problems.isEmpty()) {
      return null;
    }
    census.observer().answerRefused();
    return new ServerMessage.Error(
        ErrorCode.INVALID_ANSWER,
        "the answer does not fit the interaction's answer schema",
        requested.interactionId(),
        ref,
        problems);
  }

  /** An interaction closed before it had an actor (nobody to show it to, and it was to fail then). */
  void closedUnspawned(SessionEvent.Closed closed) {
    census.observer().interactionClosed(closed.outcome(), Duration.between(closed.requestedAt(), closed.closedAt()));
  }

  /** The first {@code shown} of {@code pending} is recorded: every connection hears it, and its delivery deadline stops. */
  void shown(SessionEvent.Requested pending) {
    SessionEvent.Delivery delivery = pending.delivery();
    census
        .observer()
        .shown(StandardKind.metricLabel(pending.kind()), Duration.between(pending.requestedAt(), delivery.shownAt()));
    connections.broadcastAbout(pending.interactionId(), new ServerMessage.Shown(pending.interactionId(), delivery.shownBy()));
    ActorRef<Interaction.Command> actor = interactions.get(pending.interactionId());
    if (actor != null) {
      actor.tell(new Interaction.Delivered(pending.view()));
    }
  }

  /** An extension is recorded: every connection hears the new deadline, and the interaction's timer follows it. */
  void extended(SessionEvent.Requested extended) {
    connections.broadcastAbout(extended.interactionId(), new ServerMessage.Extended(extended.interactionId(), extended.expiresAt()));
    reschedule(extended, Instant.now());
  }

  /** Sets {@code pending}'s deadline timer for what remains of its deadline as it stands at {@code now}. */
  void reschedule(SessionEvent.Requested pending, Instant now) {
    ActorRef<Interaction.Command> actor = interactions.get(pending.interactionId());
    if (actor != null) {
      actor.tell(new Interaction.Reschedule(pending.view(), Duration.between(now, pending.expiresAt())));
    }
  }

  /** From when a closed interaction's outcome counts as remembered, at {@code now}: now minus the retention. */
  Instant rememberedSince(Instant now) {
    return now.minus(settings.closedRetention());
  }

  /** Whether a connection is attached whose device may answer what {@code answerers} allow. */
  boolean hasConnectionFor(Answerers answerers) {
    return connections.anyAdmitted(answerers);
  }

  /** An interaction's actor stopped: after delivering its outcome, or because it failed. */
  void interactionStopped(String interactionId) {
    if (interactions.remove(interactionId) == null) {
      resolving--;
    }
  }

  /** Adds {@code follower} to the requesters of a pending interaction; false if it has no actor here. */
  boolean follow(String interactionId, ActorRef<RequestResult> follower) {
    ActorRef<Interaction.Command> actor = interactions.get(interactionId);
    if (actor != null) {
      actor.tell(new Interaction.Follow(follower));
    }
    return actor != null;
  }

  /** Lets {@code replyTo} wait for a pending interaction's outcome; false if it has no actor here. */
  boolean await(String interactionId, ActorRef<InteractionLookup> replyTo) {
    ActorRef<Interaction.Command> actor = interactions.get(interactionId);
    if (actor != null) {
      actor.tell(new Interaction.Await(replyTo));
    }
    return actor != null;
  }

  /**
   * Attaches a connection (again); the replay of what is pending and its acceptance follow. Refused over the session's
   * bound of connections.
   */
  RequestRefused attach(Device device, ActorRef<Attachment.Command> attachment) {
    String connectionId = device.connectionId();
    if (!connections.contains(connectionId)) {
      if (connections.size() >= settings.maxConnectionsPerSession()) {
        return new RequestRefused(
            Refusal.CONNECTION_LIMIT, "session " + sessionId + " already has " + connections.size() + " connections");
      }
      connections.add(device, attachment);
      context.watchWith(attachment, new Session.ConnectionGone(connectionId));
    }
    return null;
  }

  /**
   * Replays {@code pending} to an attached connection, each as its device may see it, and returns how many it was sent.
   * Every (re-)attachment is a replay: the connection ends it with "synced" when the acceptance comes.
   */
  int replay(Device device, ActorRef<Attachment.Command> attachment, Collection<SessionEvent.Requested> pending) {
    return connections.replay(device, attachment, pending);
  }

  /** The acceptance that ends an attachment's replay of {@code replayed} interactions. */
  Attachment.Accepted accepted(int replayed) {
    return new Attachment.Accepted(replayed, context.getSelf(), node);
  }

  /** Detaches a connection closing cleanly. */
  void detach(String connectionId) {
    ActorRef<Attachment.Command> attachment = connections.remove(connectionId);
    if (attachment != null) {
      context.unwatch(attachment);
    }
  }

  /** A connection's attachment stopped (or its node was downed). */
  void connectionGone(String connectionId) {
    connections.remove(connectionId);
  }

  /**
   * The device an answer really came from: the attached connection it names (an HTTP answer's named connection only if
   * it is attached here and, with auth, opened by the same subject), else, for a claim that does not hold, its HTTP
   * caller.
   */
  Device answering(Device device) {
    Device attached = connections.device(device.connectionId());
    if (!device.claimed()) {
      return attached != null ? attached : device;
    }
    Device verified = device.verifiedAgainst(attached);
    return verified != null ? verified : device.asHttpCaller();
  }

  /** The attachment of {@code connectionId} if it is attached here, else null. */
  ActorRef<Attachment.Command> attachment(String connectionId) {
    return connections.get(connectionId);
  }

  /** Interaction {@code interactionId} has one approval more: every connection that sees it hears the progress. */
  void approved(String interactionId, int approvals, int required) {
    connections.broadcastAbout(interactionId, new ServerMessage.Progress(interactionId, approvals, required));
  }

  /** The session as {@code GET /v1/sessions/{id}} reports it, to {@code viewer} (null: a requester, who sees all). */
  SessionState state(Collection<SessionEvent.Requested> pending, Device viewer) {
    List<ServerMessage.Interaction> views = new ArrayList<>(pending.size());
    for (SessionEvent.Requested requested : pending) {
      ServerMessage.Interaction view =
          viewer == null ? requested.view() : requested.answerers().frameFor(viewer, requested.view());
      if (view != null) {
        views.add(view);
      }
    }
    return new SessionState(sessionId, connections.ids(), views, node);
  }

  /** {@code waiter} hears when this incarnation has stopped. */
  void tellWhenStopped(ActorRef<Done> waiter) {
    closeWaiters.add(waiter);
  }

  /** Where the session is in its life: its commands are handled by it. */
  SessionLifecycle lifecycle() {
    return lifecycle;
  }

  /** Enters {@code next}: {@code CLOSING} for a shutdown. */
  void enter(SessionLifecycle next) {
    lifecycle = next;
  }

  /** Started empty on a node that already holds its bound of sessions: refuses new work and passivates. */
  void refuseAndPassivate() {
    lifecycle = SessionLifecycle.REFUSING;
    shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
  }

  /** Told to stop: true if interactions still deliver recorded outcomes, so it stops once they are done instead. */
  boolean stopWhenDelivered() {
    if (resolving > 0) {
      lifecycle = SessionLifecycle.STOPPING;
    }
    return resolving > 0;
  }

  /** Whether pending interactions still wait for a client to reconnect (the reconnect grace applies). */
  boolean awaitingReconnect(SessionLedger ledger, Instant rememberedSince) {
    return lifecycle.next(content(ledger, rememberedSince)) == SessionLifecycle.Next.AWAIT_RECONNECT;
  }

  /** Outcomes were recorded: the session stays while they are remembered. */
  void rememberOutcomes(SessionLedger ledger) {
    if (!timers.isTimerActive(RETENTION_TIMER)) {
      scheduleRetention(ledger);
    }
  }

  /** While an outcome is remembered, wakes the session when the newest one passes its retention. */
  void scheduleRetention(SessionLedger ledger) {
    Instant newest = ledger.newestClosedAt();
    if (newest != null) {
      Duration remaining = Duration.between(Instant.now(), newest.plus(settings.closedRetention()));
      if (!remaining.isNegative()) {
        timers.startSingleTimer(RETENTION_TIMER, Session.RetentionElapsed.INSTANCE, remaining.plusMillis(1));
      }
    }
  }

  /** The journal confirmed a write issued at {@code issuedAtNanos} ({@link System#nanoTime}). */
  void journalWritten(long issuedAtNanos) {
    census.observer().journalWritten(Duration.ofNanos(System.nanoTime() - issuedAtNanos));
  }

  /** Re-evaluates timers and lifetime after every change: the session's life is exactly its content. */
  void afterChange(SessionLedger ledger) {
    switch (lifecycle.next(content(ledger, rememberedSince(Instant.now())))) {
      case SERVE -> timers.cancel(GRACE_TIMER);
      case AWAIT_RECONNECT -> {
        if (!timers.isTimerActive(GRACE_TIMER)) {
          timers.startSingleTimer(GRACE_TIMER, Session.GraceExpired.INSTANCE, settings.reconnectGrace());
        }
      }
      case PASSIVATE -> {
        timers.cancelAll();
        lifecycle = SessionLifecycle.PASSIVATING;
        shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
      }
      case STOP -> context.getSelf().tell(Session.Stop.INSTANCE);
      case WAIT -> {
        // Waiting for the shard's stop, or for interactions to deliver their outcomes.
      }
    }
  }

  private SessionLifecycle.Content content(SessionLedger ledger, Instant rememberedSince) {
    return new SessionLifecycle.Content(
        ledger.pending().size(),
        ledger.pendingWithGrace(),
        !ledger.holdsNothing(rememberedSince),
        connections.size(),
        resolving,
        settings.store().durable());
  }

  /**
   * The incarnation has stopped: whoever waited hears it. Stopped for a shutdown, its clients are told not to attach
   * again to a session that would only be closed again.
   */
  void stopped() {
    census.sessionStopped();
    if (lifecycle == SessionLifecycle.CLOSING) {
      Attachment.Refused closed = new Attachment.Refused(RequestRefused.shuttingDown());
      connections.attachments().forEach(attachment -> attachment.tell(closed));
    }
    closeWaiters.forEach(waiter -> waiter.tell(Done.getInstance()));
  }
}
