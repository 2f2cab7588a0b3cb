package dev.interactions.server;

import com.typesafe.config.Config;
import dev.interactions.api.Orchestrator;
import dev.interactions.core.Ask;
import dev.interactions.core.Census;
import dev.interactions.core.Readiness;
import dev.interactions.health.Health;
import dev.interactions.health.Watchdog;
import dev.interactions.health.WatchdogSettings;
import dev.interactions.metrics.ServerMetrics;
import dev.interactions.persistence.JdbcStore;
import dev.interactions.transport.ClientStreams;
import dev.interactions.transport.Connections;
import dev.interactions.transport.HttpApi;
import dev.interactions.transport.RequestHeadDeadline;
import dev.interactions.transport.TransportSettings;
import dev.interactions.transport.auth.AuthSettings;
import dev.interactions.transport.auth.Authenticator;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone server: the orchestrator's sessions served over HTTP, WebSocket and SSE on one port.
 *
 * <p>It registers the {@code http} readiness check (and {@code journal} with a durable store), runs the {@link Watchdog}, and serves the metrics at {@code GET
 * /metrics} (see {@code docs/METRICS.md}).
 *
 * <p>Shutdown runs through {@link CoordinatedShutdown} (SIGTERM included): readiness turns false first, the port stops
 * accepting, pending interactions end as {@code shutdown} and clients are told, client streams are closed, and
 * in-flight requests get until the deadline to finish.
 */
public final class Server {

  private static final Logger log = LoggerFactory.getLogger(Server.class);

  /** The name of the readiness check of the HTTP binding. */
  private static final String HTTP_CHECK = "http";

  /** The name of the readiness check of the durable store's database. */
  private static final String JOURNAL_CHECK = "journal";

  /** Where the HTTP side is in its life, as the {@code http} readiness check reports it. */
  private enum Phase {
    BINDING,
    ACCEPTING,
    SHUTTING_DOWN
  }

  private final ServerBinding binding;

  private Server(ServerBinding binding) {
    this.binding = binding;
  }

  /**
   * Binds the server for {@code orchestrator} as {@code config} says.
   *
   * @throws IllegalStateException if auth is off and the address is not loopback
   */
  public static CompletionStage<Server> start(Orchestrator orchestrator, Config config) {
    AuthSettings.from(config).requireSafeBinding(ServerSettings.from(config).host());
    // A durable store is started (schema applied, database reached) before the port opens.
    CompletionStage<Optional<JdbcStore>> store =
        orchestrator.settings().store().durable()
            ? JdbcStore.start(orchestrator.system()).thenApply(Optional::of)
            : CompletableFuture.completedFuture(Optional.empty());
    return store.thenCompose(jdbc -> start(orchestrator, config, jdbc));
  }

  /**
   * Binds the server for {@code orchestrator}, whose durable store (if sessions are durable) is already started.
   *
   * @throws IllegalStateException if auth is off and the address is not loopback
   */
  public static CompletionStage<Server> start(Orchestrator orchestrator, Config config, Optional<JdbcStore> store) {
    ServerSettings settings = ServerSettings.from(config);
    AuthSettings auth = AuthSettings.from(config);
    auth.requireSafeBinding(settings.host());
    ActorSystem<?> system = orchestrator.system();
    org.apache.pekko.http.javadsl.settings.ServerSettings http =
        org.apache.pekko.http.javadsl.settings.ServerSettings.create(config);
    TransportSettings configured = TransportSettings.from(config);
    ConnectionCap cap =
        ConnectionCap.fit(
            http.getMaxConnections(),
            configured.maxConnections(),
            ConnectionCap.processFileDescriptorLimit(),
            settings.fileDescriptorHeadroom());
    cap.warnings().forEach(log::warn);
    TransportSettings transport = configured.withMaxConnections(cap.streams());
    ServerMetrics metrics = ServerMetrics.start(system, config);
    ActorRef<Connections.Command> connections =
        system.systemActorOf(
            Connections.create(
                orchestrator.sessions(), transport, orchestrator.settings(), metrics.traffic()),
            "connections",
            Props.empty());
    AtomicReference<Phase> phase = new AtomicReference<>(Phase.BINDING);
    Readiness.get(system)
        .register(HTTP_CHECK, () -> CompletableFuture.completedFuture(httpCheck(phase.get(), settings)));
    store.ifPresent(
        jdbc ->
            Readiness.get(system)
                .register(
                    JOURNAL_CHECK,
                    () ->
                        jdbc.ping()
                            .thenApply(
                                answers ->
                                    answers
                                        ? Readiness.CheckResult.pass("the database answers")
                                        : Readiness.CheckResult.fail("the database does not answer"))));
    HttpApi api =
        new HttpApi(
            orchestrator,
            transport,
            Authenticator.from(auth),
            new ClientStreams(system, connections, transport, orchestrator.settings().askTimeout(), metrics.traffic()),
            new Health(system, watchdog(system, orchestrator, config), settings.readinessTimeout()),
            store,
            settings.requestBodyTimeout());
    Route routes = metrics.route().map(scrape -> Directives.concat(api.metrics(scrape), api.routes())).orElse(api.routes());
    return Http.get(system)
        .newServerAt(settings.host(), settings.port())
        .withSettings(http.withMaxConnections(cap.tcp()))
        .bindFlow(RequestHeadDeadline.guard(settings.requestHeadTimeout(), routes.flow(system)))
        .thenApply(
            binding -> {
              phase.compareAndSet(Phase.BINDING, Phase.ACCEPTING);
              shutDownInOrder(system, binding, connections, phase, settings.shutdownDeadline());
              log.info("interaction orchestrator listening on http://{}", describe(binding.localAddress()));
              return new Server(binding);
            });
  }

  private static Readiness.CheckResult httpCheck(Phase phase, ServerSettings settings) {
    return switch (phase) {
      case BINDING -> Readiness.CheckResult.fail("binding " + settings.host() + ":" + settings.port());
      case ACCEPTING -> Readiness.CheckResult.pass("accepting requests");
      case SHUTTING_DOWN -> Readiness.CheckResult.fail("shutting down");
    };
  }

  private static Optional<ActorRef<Watchdog.Command>> watchdog(
      ActorSystem<?> system, Orchestrator orchestrator, Config config) {
    WatchdogSettings settings = WatchdogSettings.from(config);
    if (!settings.enabled()) {
      return Optional.empty();
    }
    Census census = Census.get(system);
    return Optional.of(
        system.systemActorOf(
            Watchdog.create(settings, orchestrator.settings(), () -> Watchdog.Reading.of(census, Cluster.get(system).state().members().size())),
            "watchdog",
            Props.empty()));
  }

  /**
   * The order matters: stop being ready, stop accepting, end pending interactions (the orchestrator's own task in
   * service-requests-done queues a "closed" frame for every client), then close the client streams behind those
   * frames, and only then give in-flight requests the rest of the deadline.
   */
  private static void shutDownInOrder(
      ActorSystem<?> system,
      ServerBinding binding,
      ActorRef<Connections.Command> connections,
      AtomicReference<Phase> phase,
      Duration deadline) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(
        CoordinatedShutdown.PhaseBeforeServiceUnbind(),
        "readiness-off",
        () -> {
          phase.set(Phase.SHUTTING_DOWN);
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "http-unbind", binding::unbind);
    shutdown.addTask(
        CoordinatedShutdown.PhaseServiceStop(),
        "close-client-streams",
        () ->
            Ask.<Connections.Command, Done>ask(connections, Connections.Shutdown::new, deadline, system)
                .thenCompose(done -> binding.terminate(deadline))
                .thenApply(terminated -> Done.getInstance()));
  }

  /** The bound address (useful when port 0 was asked for). */
  public InetSocketAddress address() {
    return binding.localAddress();
  }

  private static String describe(InetSocketAddress address) {
    return address.getHostString() + ":" + address.getPort();
  }
}
