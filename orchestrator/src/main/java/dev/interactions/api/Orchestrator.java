package dev.interactions.api;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.interactions.core.Ask;
import dev.interactions.core.InteractionOutcome;
import dev.interactions.core.InteractionRefusedException;
import dev.interactions.core.InteractionRequest;
import dev.interactions.core.InteractionSuspendedException;
import dev.interactions.core.OrchestratorSettings;
import dev.interactions.core.RequestRefused;
import dev.interactions.core.RequestResult;
import dev.interactions.core.Session;
import dev.interactions.core.SessionDirectory;
import dev.interactions.core.SessionState;
import dev.interactions.core.Sessions;
import dev.interactions.core.Suspended;
import dev.interactions.protocol.Identifiers;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.PromiseRef;
import org.apache.pekko.util.Timeout;
import scala.jdk.javaapi.FutureConverters;

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

  private static final String SESSIONS_ACTOR = "interaction-sessions";

  private final ActorSystem<?> system;
  private final boolean ownsSystem;
  private final OrchestratorSettings settings;
  private final ActorRef<Sessions.Command> sessions;
  private final SessionDirectory directory;
  private final Cancellable shutdownTask;

  private Orchestrator(ActorSystem<?> system, boolean ownsSystem) {
    this.system = system;
    this.ownsSystem = ownsSystem;
    this.settings = OrchestratorSettings.from(system.settings().config());
    this.sessions = system.systemActorOf(Sessions.create(settings), SESSIONS_ACTOR, Props.empty());
    this.directory = Sessions.directory(sessions, system);
    this.shutdownTask =
        CoordinatedShutdown.get(system)
            .addCancellableTask(
                CoordinatedShutdown.PhaseServiceRequestsDone(), "end-pending-interactions", this::endSessions);
  }

  /** Starts an orchestrator in an actor system of its own, configured by {@code config} over the defaults. */
  public static Orchestrator start(Config config) {
    return new Orchestrator(
        ActorSystem.create(Behaviors.empty(), "interactions", ConfigFactory.load(config)), true);
  }

  /** Starts an orchestrator in an actor system of its own, configured by {@code application.conf}. */
  public static Orchestrator start() {
    return start(ConfigFactory.empty());
  }

  /**
   * Starts an orchestrator inside an existing actor system, which keeps running after {@link #close()}. When that system
   * shuts down (through {@link CoordinatedShutdown}), sessions stop as {@link #close()} describes.
   */
  public static Orchestrator embed(ActorSystem<?> system) {
    return new Orchestrator(system, false);
  }

  /**
   * Requests an interaction of session {@code sessionId}; every client connected to it is shown the interaction.
   *
   * <p>The returned stage completes exactly once: with the {@link InteractionOutcome}, or exceptionally with an {@link
   * InteractionRefusedException} if a bound refused it (nothing was created), with a {@link
   * java.util.concurrent.TimeoutException} if the session did not admit it within {@code orchestrator.api.ask-timeout}
   * (a journal that does not take writes), or, with a durable store, with an {@link
   * InteractionSuspendedException} if this process stops serving it first (shutdown, journal failure: the interaction
   * stays pending in the journal, but this future lives only in this process). Cancelling {@code
   * toCompletableFuture()} cancels the interaction, and its clients are told.
   *
   * @throws dev.interactions.protocol.InvalidInputException naming the field if the id or the request is invalid
   */
  public CompletionStage<InteractionOutcome> request(String sessionId, InteractionRequest request) {
    Identifiers.require("sessionId", sessionId);
    Duration timeout = request.validate(settings);
    String interactionId = UUID.randomUUID().toString();
    CompletableFuture<InteractionOutcome> outcome = new CompletableFuture<>();
    // Two replies, two bounds: admission within the ask timeout (a session that cannot record the request, e.g. with its
    // journal down, fails the future then), the outcome by the deadline plus slack.
    PromiseRef<Object> outcomeRef =
        PromiseRef.apply(Adapter.toClassic(system), Timeout.create(timeout.plus(settings.outcomeSlack())));
    ActorRef<RequestResult> requester = Adapter.toTyped(outcomeRef.ref());
    FutureConverters.asJava(outcomeRef.future())
        .whenCompleteAsync(
            (result, failure) -> {
              if (result instanceof InteractionOutcome ended) {
                outcome.complete(ended);
              } else if (result instanceof RequestRefused refused) {
                outcome.completeExceptionally(new InteractionRefusedException(refused));
              } else if (result instanceof Suspended suspended) {
                outcome.completeExceptionally(new InteractionSuspendedException(suspended));
              } else {
                outcome.completeExceptionally(failure);
              }
            },
            system.executionContext());
    directory
        .<Session.Admission>ask(
            sessionId,
            replyTo -> new Session.RequestInteraction(interactionId, request, timeout, requester, replyTo),
            settings.askTimeout())
        .whenComplete(
            (admission, failure) -> {
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
    Identifiers.require("sessionId", sessionId);
    String connectionId = "local-" + UUID.randomUUID();
    CompletableFuture<ClientHandle> attached = new CompletableFuture<>();
    system.systemActorOf(
        InProcessConnection.create(
            sessionId,
            connectionId,
            listener,
            directory,
            settings.askTimeout(),
            settings.store().restartDelay(),
            attached),
        connectionId,
        Props.empty());
    return attached;
  }

  /** The connections and pending interactions of session {@code sessionId} (empty if it does not exist). */
  public CompletionStage<SessionState> state(String sessionId) {
    Identifiers.require("sessionId", sessionId);
    return directory.ask(sessionId, Session.GetState::new, settings.askTimeout());
  }

  /** The seam through which transports address sessions. */
  public SessionDirectory sessions() {
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
    if (ownsSystem) {
      CoordinatedShutdown.get(system).run(CoordinatedShutdown.unknownReason());
      system.getWhenTerminated().toCompletableFuture().join();
    } else {
      shutdownTask.cancel();
      endSessions().toCompletableFuture().join();
    }
  }

  private CompletionStage<Done> endSessions() {
    // As long as the shutdown phase it runs in allows: many sessions take longer to stop than one ask.
    Duration phase =
        system.settings().config().getDuration("pekko.coordinated-shutdown.phases.service-requests-done.timeout");
    return Ask.ask(sessions, Sessions.Shutdown::new, phase, system);
  }
}
