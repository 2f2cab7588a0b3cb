package dev.interactions.server;

import com.typesafe.config.Config;
import dev.interactions.api.Orchestrator;
import dev.interactions.core.Ask;
import dev.interactions.persistence.JdbcStore;
import dev.interactions.transport.ClientStreams;
import dev.interactions.transport.Connections;
import dev.interactions.transport.HttpApi;
import dev.interactions.transport.TransportSettings;
import dev.interactions.transport.auth.AuthSettings;
import dev.interactions.transport.auth.Authenticator;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone server: the orchestrator's sessions served over HTTP, WebSocket and SSE on one port.
 *
 * <p>Shutdown runs through {@link CoordinatedShutdown} (SIGTERM included): readiness turns false first, the port stops
 * accepting, pending interactions end as {@code shutdown} and clients are told, client streams are closed, and
 * in-flight requests get until the deadline to finish.
 */
public final class Server {

  private static final Logger log = LoggerFactory.getLogger(Server.class);

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
    TransportSettings transport = TransportSettings.from(config);
    ActorSystem<?> system = orchestrator.system();
    ActorRef<Connections.Command> connections =
        system.systemActorOf(
            Connections.create(orchestrator.sessions(), transport, orchestrator.settings().askTimeout()),
            "connections",
            Props.empty());
    AtomicBoolean ready = new AtomicBoolean(true);
    HttpApi api =
        new HttpApi(
            orchestrator,
            transport,
            Authenticator.from(auth),
            new ClientStreams(system, connections, transport, orchestrator.settings().askTimeout()),
            ready::get,
            store);
    return bind(system, settings, api, connections, ready);
  }

  private static CompletionStage<Server> bind(
      ActorSystem<?> system,
      ServerSettings settings,
      HttpApi api,
      ActorRef<Connections.Command> connections,
      AtomicBoolean ready) {
    return Http.get(system)
        .newServerAt(settings.host(), settings.port())
        .bind(api.routes())
        .thenApply(
            binding -> {
              shutDownInOrder(system, binding, connections, ready, settings.shutdownDeadline());
              log.info("interaction orchestrator listening on http://{}", describe(binding.localAddress()));
              return new Server(binding);
            });
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
      AtomicBoolean ready,
      Duration deadline) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(
        CoordinatedShutdown.PhaseBeforeServiceUnbind(),
        "readiness-off",
        () -> {
          ready.set(false);
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
