package dev.interactions.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.interactions.api.Orchestrator;
import dev.interactions.core.ClusterSettings;
import dev.interactions.core.StoreSettings;
import dev.interactions.metrics.KamonStartup;
import dev.interactions.persistence.JdbcStore;
import dev.interactions.transport.auth.AuthSettings;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar interactions-server.jar}: starts the orchestrator and its server; SIGTERM shuts it down gracefully. */
public final class Main {

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    Config config;
    try {
      config = Orchestrator.configure(ConfigFactory.empty());
      // Refuse an unsafe binding before anything starts.
      AuthSettings.from(config).requireSafeBinding(ServerSettings.from(config).host());
    } catch (IllegalArgumentException | IllegalStateException e) {
      log.error("refusing to start: {}", e.getMessage());
      System.exit(2);
      return;
    }
    // Before the first Pekko class is loaded: Kanela instruments classes as they load.
    KamonStartup.start(config);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), ClusterSettings.SYSTEM_NAME, config);
    // The durable store comes first: sessions and the shards' remembered entities must find the schema when they recover.
    CompletionStage<Optional<JdbcStore>> store =
        StoreSettings.from(config).durable()
            ? JdbcStore.start(system).thenApply(Optional::of)
            : CompletableFuture.completedFuture(Optional.empty());
    store
        .thenCompose(jdbc -> Server.start(Orchestrator.embed(system), config, jdbc))
        .whenComplete(
            (server, failure) -> {
              if (failure != null) {
                log.error("could not start the server", failure);
                system.terminate();
                System.exit(1);
              }
            });
  }
}
