package dev.interactions.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.interactions.api.Orchestrator;
import java.nio.file.Path;

/** An orchestrator with durable sessions on an H2 file database of a test's own, started as a server starts it. */
final class DurableStore implements AutoCloseable {

  final Orchestrator orchestrator;
  final JdbcStore store;

  private DurableStore(Orchestrator orchestrator, JdbcStore store) {
    this.orchestrator = orchestrator;
    this.store = store;
  }

  /** The configuration of a durable store under {@code directory}, with {@code overrides} on top. */
  static Config config(Path directory, String overrides) {
    return ConfigFactory.parseString(overrides)
        .withFallback(
            ConfigFactory.parseString(
                "orchestrator.persistence.jdbc.url = \"jdbc:h2:file:"
                    + directory.resolve("interactions").toAbsolutePath()
                    + ";WRITE_DELAY=0\"\n"
                    + "orchestrator.interaction.min-timeout = 1ms\n"));
  }

  static DurableStore start(Config config) {
    Orchestrator orchestrator = Orchestrator.start(config);
    JdbcStore store = JdbcStore.start(orchestrator.system()).toCompletableFuture().join();
    return new DurableStore(orchestrator, store);
  }

  @Override
  public void close() {
    orchestrator.close();
  }
}
