package dev.interactions.core;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Optional;

/**
 * Where sessions keep their record: the {@code orchestrator.persistence} section.
 *
 * @param durable whether sessions survive a restart (a real journal) or live in this process's memory only
 * @param journalPluginId the Pekko Persistence journal plugin sessions write to
 * @param snapshotPluginId the Pekko Persistence snapshot store plugin sessions use
 * @param readJournalPluginId the Pekko Persistence Query plugin that reads the journal back (a durable store only)
 * @param snapshotEvery a durable session saves a snapshot every this many events, so recovery replays at most that many
 * @param restartDelay how long after a durable session stopped on a journal failure it is started again
 */
public record StoreSettings(
    boolean durable,
    String journalPluginId,
    String snapshotPluginId,
    Optional<String> readJournalPluginId,
    int snapshotEvery,
    Duration restartDelay) {

  /** Reads {@code orchestrator.persistence} of {@code config}. */
  public static StoreSettings from(Config config) {
    Config c = config.getConfig("orchestrator.persistence");
    String store = c.hasPath("store") ? c.getString("store") : "memory";
    int snapshotEvery = c.getInt("snapshot-every");
    if (snapshotEvery <= 0) {
      throw new IllegalArgumentException("orchestrator.persistence.snapshot-every must be positive, was " + snapshotEvery);
    }
    if (!store.equals("memory") && !store.equals("jdbc")) {
      throw new IllegalArgumentException("orchestrator.persistence.store must be memory or jdbc, was " + store);
    }
    String journal = c.getString(store + ".journal-plugin");
    if (!config.hasPath(journal)) {
      throw new IllegalArgumentException(
          "orchestrator.persistence.store = " + store + " needs the journal plugin " + journal
              + ", which is not configured (the jdbc store needs the persistence module on the classpath)");
    }
    boolean durable = store.equals("jdbc");
    // A durable session reads the outcomes it remembers back from its journal instead of keeping them.
    if (durable && !c.hasPath(store + ".read-journal-plugin")) {
      throw new IllegalArgumentException(
          "orchestrator.persistence.store = " + store + " needs orchestrator.persistence." + store
              + ".read-journal-plugin (the persistence module's reference.conf sets it)");
    }
    Optional<String> readJournal = durable ? Optional.of(c.getString(store + ".read-journal-plugin")) : Optional.empty();
    return new StoreSettings(
        durable,
        journal,
        c.getString(store + ".snapshot-plugin"),
        readJournal,
        snapshotEvery,
        c.getDuration("restart-delay"));
  }
}
