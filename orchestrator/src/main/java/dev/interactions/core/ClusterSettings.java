package dev.interactions.core;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code orchestrator.cluster} section: where this node listens for the other nodes, and whom it joins. It is the
 * deployment contract ({@code ORCHESTRATOR_CLUSTER_HOST}, {@code ORCHESTRATOR_CLUSTER_PORT}, {@code
 * ORCHESTRATOR_SEED_NODES}), turned into Pekko's remoting and cluster settings by {@link #applyTo}.
 *
 * @param systemName the actor system's name, which every node of one cluster shares
 * @param host the address this node is reached at
 * @param port the cluster (remoting) port; 0 picks a free one (tests)
 * @param seedNodes {@code host:port} of the nodes to join; empty joins itself, as a one-node cluster
 */
public record ClusterSettings(String systemName, String host, int port, List<String> seedNodes) {

  /** The name of the actor system the orchestrator's nodes run in. */
  public static final String SYSTEM_NAME = "interactions";

  public ClusterSettings {
    seedNodes = List.copyOf(seedNodes);
  }

  /** Reads {@code orchestrator.cluster} of {@code config}. */
  public static ClusterSettings from(Config config) {
    Config c = config.getConfig("orchestrator.cluster");
    List<String> seeds =
        Arrays.stream(c.getString("seed-nodes").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    for (String seed : seeds) {
      int colon = seed.lastIndexOf(':');
      if (colon <= 0 || !seed.substring(colon + 1).matches("[0-9]{1,5}")) {
        throw new IllegalArgumentException(
            "orchestrator.cluster.seed-nodes (ORCHESTRATOR_SEED_NODES) must be a comma-separated list of host:port, was \""
                + c.getString("seed-nodes")
                + "\"");
      }
    }
    return new ClusterSettings(SYSTEM_NAME, c.getString("host"), c.getInt("port"), seeds);
  }

  /** Whether this node forms a cluster of its own (no seed nodes, or only itself). */
  public boolean alone() {
    return seedNodes.isEmpty() || seedNodes.equals(List.of(host + ":" + port));
  }

  /** {@code config} with Pekko's remoting and cluster settings taken from these. */
  public Config applyTo(Config config) {
    Config cluster =
        ConfigFactory.empty()
            .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(host))
            .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(port))
            .withValue(
                "pekko.cluster.seed-nodes",
                ConfigValueFactory.fromIterable(
                    seedNodes.stream().map(seed -> "pekko://" + systemName + "@" + seed).toList()));
    return cluster.withFallback(config);
  }

  /**
   * Refuses a cluster of several nodes on a store they cannot share: sessions kept in memory would be lost at every
   * move between nodes, and a file H2 database can be opened by one process only.
   *
   * @throws IllegalStateException naming the setting to change
   */
  public void requireSharedStore(Config config) {
    if (alone()) {
      return;
    }
    StoreSettings store = StoreSettings.from(config);
    if (!store.durable()) {
      throw new IllegalStateException(
          "a cluster of several nodes (orchestrator.cluster.seed-nodes) needs a durable store shared by all of them: set"
              + " orchestrator.persistence.store = jdbc with PostgreSQL");
    }
    String url = config.hasPath("orchestrator.persistence.jdbc.url") ? config.getString("orchestrator.persistence.jdbc.url") : "";
    if (url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:h2:tcp:") && !url.startsWith("jdbc:h2:ssl:")) {
      throw new IllegalStateException(
          "a cluster of several nodes (orchestrator.cluster.seed-nodes) cannot share the embedded H2 database " + url
              + ", which only one process can open: use PostgreSQL (ORCHESTRATOR_JDBC_URL, see config/postgres.conf)");
    }
  }
}
