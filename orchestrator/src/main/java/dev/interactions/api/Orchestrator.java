package dev.interactions.api;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.interactions.core.Ask;
import dev.interactions.core.Device;
import dev.interactions.core.InteractionAdmission;
import dev.interactions.core.InteractionLookup;
import dev.interactions.core.InteractionOutcome;
import dev.interactions.core.InteractionRefusedException;
import dev.interactions.core.InteractionRequest;
import dev.interactions.core.InteractionSuspendedException;
import dev.interactions.core.ClusterReadiness;
import dev.interactions.core.OrchestratorSettings;
import dev.interactions.core.Readiness;
import dev.interactions.core.RequestRefused;
import dev.interactions.core.Session;
import dev.interactions.core.SessionState;
import dev.interactions.core.ShardedSessions;
import dev.interactions.core.ClusterSettings;
import dev.interactions.protocol.Identifiers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.cluster.ClusterActorRefProvider;
import org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The embeddable orchestrator: request interactions of sessions and get each one's outcome exactly once, attach
 * in-process clients, and read a session's state, without seeing an actor.
 *
 * <pre>{@code
 * try (Orchestrator orchestrator = Orchestrator.start(ConfigFactory.load())) {
 *   CompletionStage<InteractionOutcome> outcome =
 *       orchestrator.request("user-42", InteractionRequest.of("approve", RawJson.parse("payload", "{\"tool\":\"rm\"}")));
 *   ...
 * }
 * }</pre>
 *
 * <p>Start at most one per actor system. {@link #close()} ends every pending interaction as {@code shutdown}.
 */
public final class Orchestrator implements AutoCloseable {

  /** The name of the readiness check of this node's cluster membership and its share of the sessions. */
  private static final String CLUSTER_CHECK = "cluster";

  private final ActorSystem<?> system;
  private final boolean ownsSystem;
  private final OrchestratorSettings settings;
  private final ShardedSessions directory;
  private final InteractionAdmission admission;
  private final Cancellable shutdownTask;
  /** Set by {@link #close()}: from then on the API refuses work, as a node shutting down does. */
  private volatile boolean closed;

  private Orchestrator(ActorSystem<?> system, boolean ownsSystem) {
    this.system = system;
    this.ownsSystem = ownsSystem;
    this.settings = OrchestratorSettings.from(system.settings().config());
    joinItselfIfAlone(system);
    this.directory = ShardedSessions.init(system, settings);
    this.admission = new InteractionAdmission(directory, settings);
    Readiness.get(system).register(CLUSTER_CHECK, new ClusterReadiness(system, directory.typeKey()));
    this.shutdownTask =
        CoordinatedShutdown.get(system)
            .addCancellableTask(
                CoordinatedShutdown.PhaseServiceRequestsDone(), "end-pending-interactions", this::endSessions);
  }

  /**
   * Starts an orchestrator in an actor system of its own, configured by {@code config} over {@code application.conf} and
   * the defaults: a cluster of
   * one node unless {@code orchestrator.cluster.seed-nodes} names others.
   *
   * @throws IllegalStateException if several nodes are configured on a store they cannot share
   */
  public static Orchestrator start(Config config) {
    return new Orchestrator(ActorSystem.create(Behaviors.empty(), ClusterSettings.SYSTEM_NAME, configure(config)), true);
  }

  /**
   * The configuration an orchestrator's own actor system runs with: {@code config} over {@code application.conf} and the
   * defaults, with the cluster
   * settings of {@code orchestrator.cluster} applied.
   *
   * @throws IllegalStateException if several nodes are configured on a store they cannot share
   */
  public static Config configure(Config config) {
    // Merged before it is resolved, so that settings derived from others (a database URL) follow config's values.
    Config loaded = ConfigFactory.load(config.withFallback(ConfigFactory.defaultApplication()));
    ClusterSettings cluster = ClusterSettings.from(loaded);
    cluster.requireSharedStore(loaded);
    return cluster.applyTo(loaded);
  }

  /** Starts an orchestrator in an actor system of its own, configured by {@code application.conf}. */
  public static Orchestrator start() {
    return start(ConfigFactory.empty());
  }

  /**
   * Starts an orchestrator inside an existing actor system, which keeps running after {@link #close()}. When that system
   * shuts down (through {@link CoordinatedShutdown}), sessions stop as {@link #close()} describes.
   *
   * <p>Sessions are Cluster Sharding entities, so the system must be a cluster node ({@code pekko.actor.provider =
   * cluster}, which the orchestrator's {@code reference.conf} sets for systems created from the default configuration).
   * If the system has no seed nodes and has not joined a cluster, it joins itself: a cluster of one node. Otherwise the
   * sessions are spread over the host's cluster.
   *
   * @throws IllegalStateException if the system is not a cluster node
   */
  public static Orchestrator embed(ActorSystem<?> system) {
    return new Orchestrator(system, false);
  }

  private static void joinItselfIfAlone(ActorSystem<?> system) {
    if (!(system.classicSystem() instanceof ExtendedActorSystem extended)
        || !(extended.provider() instanceof ClusterActorRefProvider)) {
      throw new IllegalStateException(
          "the orchestrator's sessions are Cluster Sharding entities: its actor system needs pekko.actor.provider ="
              + " cluster (Orchestrator.start() creates one)");
    }
    Cluster cluster = Cluster.get(system);
    if (system.settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty()
        && !cluster.state().getMembers().iterator().hasNext()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
  }

  /**
   * Requests an interaction of session {@code sessionId}; every client connected to it is shown the interaction.
   *
   * <p>The returned stage completes exactly once: with the {@link InteractionOutcome}, or exceptionally with an {@link
   * InteractionRefusedException} if a bound refused it (nothing was created), with a {@link
   * java.util.concurrent.TimeoutException} if the session did not admit it within {@code orchestrator.api.ask-timeout}
   * (a journal that does not take writes) or no outcome came by the deadline plus {@code
   * orchestrator.api.outcome-slack}, or, with a durable store, with an {@link InteractionSuspendedException} if this
   * node shuts down first (the interaction stays pending in the journal, but this future lives only in this process).
   * When the session moves to another node or restarts after a journal failure, the future follows the interaction to
   * it. Cancelling {@code toCompletableFuture()} cancels the interaction, and its clients are told.
   *
   * @throws dev.interactions.protocol.InvalidInputException naming the field if the id or the request is invalid
   */
  public CompletionStage<InteractionOutcome> request(String sessionId, InteractionRequest request) {
    if (closed) {
      admission.validate(sessionId, request);
      return CompletableFuture.failedFuture(new InteractionRefusedException(RequestRefused.shuttingDown()));
    }
    RequestedOutcome requested =
        new RequestedOutcome(
            system,
            directory,
            sessionId,
            settings.attachRetryDelay(),
            () -> closed || CoordinatedShutdown.get(system).getShutdownReason().isPresent());
    CompletableFuture<InteractionOutcome> outcome = requested.future();
    // Two replies, two bounds: admission within the ask timeout (a session that cannot record the request, e.g. with its
    // journal down, fails the future then), the outcome by the deadline plus slack.
    InteractionAdmission.Admitting admitting =
        admission.admit(sessionId, request, timeout -> requested.requester(timeout.plus(settings.outcomeSlack())));
    String interactionId = admitting.interactionId();
    admitting
        .admission()
        .whenComplete(
            (admitted, failure) -> {
              if (failure != null && outcome.completeExceptionally(failure)) {
                // Not admitted in time: if the request is recorded later after all, it is cancelled, not left behind.
                directory.tell(sessionId, new Session.CancelInteraction(interactionId));
              }
            });
    outcome.whenComplete(
        (ended, failure) -> {
          if (failure instanceof CancellationException) {
            directory.tell(sessionId, new Session.CancelInteraction(interactionId));
          }
        });
    return outcome;
  }

  /**
   * Attaches an in-process client to session {@code sessionId}. It is shown every pending interaction at once and every
   * new one from then on. Completes exceptionally with an {@link InteractionRefusedException} over a bound.
   */
  public CompletionStage<ClientHandle> attach(String sessionId, InteractionListener listener) {
    return attach(sessionId, null, Set.of(), listener);
  }

  /**
   * Attaches an in-process client that this service authenticated as {@code subject} with {@code roles}: its answers
   * count as that subject's (for quorums and the audit), and an interaction whose request names its answerers (see
   * {@link InteractionRequest#withAnswerers}) reaches it as one of them, read-only, or not at all. {@code subject} null
   * is nobody in particular, as with {@link #attach(String, InteractionListener)}.
   */
  public CompletionStage<ClientHandle> attach(
      String sessionId, String subject, Set<String> roles, InteractionListener listener) {
    Identifiers.require("sessionId", sessionId);
    if (closed) {
      return CompletableFuture.failedFuture(new InteractionRefusedException(RequestRefused.shuttingDown()));
    }
    String connectionId = "local-" + UUID.randomUUID();
    CompletableFuture<ClientHandle> attached = new CompletableFuture<>();
    system.systemActorOf(
        InProcessConnection.create(
            sessionId,
            Device.inProcess(connectionId, subject, roles),
            listener,
            directory,
            settings.askTimeout(),
            settings.attachRetryDelay(),
            attached),
        connectionId,
        Props.empty());
    return attached;
  }

  /**
   * What became of interaction {@code interactionId} of session {@code sessionId}: an {@link InteractionStatus}, pending
   * or closed with its outcome and {@link dev.interactions.protocol.Audit} (who answered, through which device and
   * transport, when it was shown and answered), while the session remembers it (see {@code
   * orchestrator.session.closed-retention}); {@link dev.interactions.core.UnknownInteraction} otherwise.
   */
  public CompletionStage<InteractionLookup> read(String sessionId, String interactionId) {
    Identifiers.require("sessionId", sessionId);
    Identifiers.require("interactionId", interactionId);
    return directory.ask(
        sessionId, replyTo -> new Session.GetInteraction(interactionId, false, replyTo), settings.askTimeout());
  }

  /** The connections and pending interactions of session {@code sessionId} (empty if it does not exist). */
  public CompletionStage<SessionState> state(String sessionId) {
    Identifiers.require("sessionId", sessionId);
    return directory.ask(sessionId, replyTo -> new Session.GetState(replyTo), settings.askTimeout());
  }

  /** The one front door for requests, shared with the HTTP API. */
  public InteractionAdmission admission() {
    return admission;
  }

  /** The seam through which transports address sessions. */
  public ShardedSessions sessions() {
    return directory;
  }

  /** The settings in force. */
  public OrchestratorSettings settings() {
    return settings;
  }

  /** The actor system the orchestrator runs in. */
  public ActorSystem<?> system() {
    return system;
  }

  /**
   * Shuts down gracefully: every session stops; with the memory store every pending interaction first ends as {@code
   * shutdown} (clients are told), with a durable store pending interactions stay in the journal and resume at the next
   * start;
   * and, if the orchestrator owns its actor system, the system terminates through {@link CoordinatedShutdown}.
   */
  @Override
  public void close() {
    closed = true;
    if (ownsSystem) {
      CoordinatedShutdown.get(system).run(CoordinatedShutdown.unknownReason());
      system.getWhenTerminated().toCompletableFuture().join();
    } else {
      shutdownTask.cancel();
      endSessions().toCompletableFuture().join();
    }
  }

  /**
   * Closes the sessions this node hosts (with the memory store, their pending interactions end as {@code shutdown} and
   * their clients are told), waiting as long as the shutdown phase allows. With a durable store there is nothing to
   * end: sharding stops the sessions when the node leaves, and what is pending stays in the journal.
   */
  private CompletionStage<Done> endSessions() {
    if (settings.store().durable()) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    Duration phase =
        system.settings().config().getDuration("pekko.coordinated-shutdown.phases.service-requests-done.timeout");
    return Ask.<ClusterShardingQuery, CurrentShardRegionState>ask(
            ClusterSharding.get(system).shardState(),
            replyTo -> new GetShardRegionState(directory.typeKey(), replyTo),
            settings.askTimeout(),
            system)
        .thenCompose(
            region -> {
              List<CompletableFuture<Done>> closed = new ArrayList<>();
              region.getShards().forEach(
                  shard ->
                      shard.getEntityIds().forEach(
                          sessionId ->
                              closed.add(
                                  directory
                                      .<Done>ask(sessionId, Session.Close::new, phase)
                                      .toCompletableFuture())));
              return CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new));
            })
        .thenApply(all -> Done.getInstance());
  }
}
