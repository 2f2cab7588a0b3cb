package dev.interactions.persistence;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code orchestrator.persistence.jdbc} section, read once; every key is documented in this module's
 * {@code reference.conf}.
 *
 * @param profile the Slick profile, which tells which schema script applies
 * @param createSchema whether missing tables are created at start
 * @param retentionPeriod events and snapshots older than this are deleted
 * @param sweepInterval how often the retention sweep runs
 * @param batchSize how many sessions or events one retention statement covers
 * @param historyMaxLimit largest page of the history endpoint
 * @param h2CompactionInterval how often the embedded H2 database's file is compacted
 * @param h2CompactionMaxTime how long one compaction step should take at most (writes wait for it)
 */
public record JdbcSettings(
    String profile,
    boolean createSchema,
    Duration retentionPeriod,
    Duration sweepInterval,
    int batchSize,
    int historyMaxLimit,
    Duration h2CompactionInterval,
    Duration h2CompactionMaxTime) {

  /** Where the blocking JDBC calls of this module run. */
  public static final String BLOCKING_DISPATCHER = "orchestrator.persistence.jdbc.blocking-dispatcher";

  /** Reads {@code orchestrator.persistence.jdbc} of {@code config}. */
  public static JdbcSettings from(Config config) {
    Config c = config.getConfig("orchestrator.persistence.jdbc");
    return new JdbcSettings(
        c.getString("profile"),
        c.getBoolean("create-schema"),
        c.getDuration("retention.period"),
        c.getDuration("retention.sweep-interval"),
        c.getInt("retention.batch-size"),
        c.getInt("history.max-limit"),
        c.getDuration("h2-compaction.interval"),
        c.getDuration("h2-compaction.max-time"));
  }

  /** The schema script for the configured database. */
  String schemaResource() {
    return profile.contains("Postgres") ? "/schema/postgres.sql" : "/schema/h2.sql";
  }
}
