package dev.interactions.core;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cluster part of the deployment contract: ORCHESTRATOR_CLUSTER_HOST, _PORT and ORCHESTRATOR_SEED_NODES. */
class ClusterSettingsTest {

  private static Config config(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  @Test
  void withoutSeedNodesANodeFormsAClusterOfItsOwnOnLoopback() {
    ClusterSettings settings = ClusterSettings.from(config("orchestrator.cluster.port = 25520"));

    assertEquals(new ClusterSettings("interactions", "127.0.0.1", 25520, List.of()), settings);
    assertTrue(settings.alone());
  }

  @Test
  void seedNodesBecomePekkoAddressesOfTheSystemAndTheNodeListensWhereItIsTold() {
    Config applied =
        ClusterSettings.from(
                config(
                    """
                    orchestrator.cluster { host = "10.0.0.5", port = 25521, seed-nodes = " 10.0.0.5:25521, 10.0.0.6:25521 " }
                    """))
            .applyTo(config(""));

    assertEquals("10.0.0.5", applied.getString("pekko.remote.artery.canonical.hostname"));
    assertEquals(25521, applied.getInt("pekko.remote.artery.canonical.port"));
    assertEquals(
        List.of("pekko://interactions@10.0.0.5:25521", "pekko://interactions@10.0.0.6:25521"),
        applied.getStringList("pekko.cluster.seed-nodes"));
  }

  @Test
  void malformedSeedNodesAreRefusedNamingTheVariable() {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> ClusterSettings.from(config("orchestrator.cluster.seed-nodes = \"node-a, node-b:x\"")));

    assertTrue(refused.getMessage().contains("ORCHESTRATOR_SEED_NODES"), refused.getMessage());
  }

  @Test
  void severalNodesRefuseAStoreTheyCannotShare() {
    String twoNodes = "orchestrator.cluster { port = 25521, seed-nodes = \"127.0.0.1:25521,127.0.0.1:25522\" }\n";

    IllegalStateException memory =
        assertThrows(
            IllegalStateException.class,
            () -> ClusterSettings.from(config(twoNodes)).requireSharedStore(config(twoNodes)));
    assertTrue(memory.getMessage().contains("durable store"), memory.getMessage());

    String fileH2 =
        twoNodes
            + "orchestrator.persistence { store = jdbc, jdbc.journal-plugin = x, jdbc.snapshot-plugin = y,"
            + " jdbc.read-journal-plugin = z,"
            + " jdbc.url = \"jdbc:h2:file:./data/interactions\" }\nx {}\n";
    IllegalStateException h2 =
        assertThrows(
            IllegalStateException.class, () -> ClusterSettings.from(config(fileH2)).requireSharedStore(config(fileH2)));
    assertTrue(h2.getMessage().contains("PostgreSQL"), h2.getMessage());

    String postgres = fileH2.replace("jdbc:h2:file:./data/interactions", "jdbc:postgresql://db/interactions");
    assertDoesNotThrow(() -> ClusterSettings.from(config(postgres)).requireSharedStore(config(postgres)));
  }

  @Test
  void aSingleNodeMayKeepSessionsInMemory() {
    assertDoesNotThrow(() -> ClusterSettings.from(config("")).requireSharedStore(config("")));
  }
}
