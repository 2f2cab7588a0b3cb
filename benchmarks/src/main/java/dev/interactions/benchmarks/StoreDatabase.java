package dev.interactions.benchmarks;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.h2.mvstore.MVStoreTool;

/**
 * The database a durable-store benchmark runs on, fresh for each scenario: an H2 file database in a new temporary
 * directory, or the tables of a PostgreSQL database of the benchmark's own (dropped first; never the {@code interactions}
 * database, whose tables a test suite drops at its start).
 *
 * @param kind {@code h2} or {@code postgres}
 * @param url the JDBC URL the orchestrator is given
 * @param directory the H2 database's directory; null for PostgreSQL
 */
record StoreDatabase(String kind, String url, String user, String password, String driver, String profile,
    Path directory) {

  /** The benchmark's PostgreSQL database: {@code CREATE DATABASE interactions_bench OWNER interactions}. */
  static final String POSTGRES_URL =
      System.getProperty("benchmark.postgres.url", "jdbc:postgresql://127.0.0.1:5432/interactions_bench");

  /** More settings for the H2 URL, each as {@code ;NAME=value} (levers under measurement). */
  static final String H2_OPTIONS = System.getProperty("benchmark.h2.options", "");

  /** A new, empty database of {@code kind}. */
  static StoreDatabase fresh(String kind) throws IOException, SQLException {
    return switch (kind) {
      case "h2" -> h2(Files.createTempDirectory("durable-store-benchmark-h2-"));
      case "postgres" -> {
        StoreDatabase database = postgres();
        database.dropTables();
        yield database;
      }
      default -> throw new IllegalArgumentException("database kind h2 or postgres, not " + kind);
    };
  }

  /** The H2 database in {@code directory} (as {@link #fresh} made it; for the restarted JVM of the recovery scenario). */
  static StoreDatabase h2(Path directory) {
    return new StoreDatabase(
        "h2",
        "jdbc:h2:file:" + directory.toAbsolutePath().resolve("db") + ";WRITE_DELAY=0" + H2_OPTIONS,
        "interactions",
        "",
        "org.h2.Driver",
        "slick.jdbc.H2Profile$",
        directory);
  }

  static StoreDatabase postgres() {
    return new StoreDatabase(
        "postgres", POSTGRES_URL, "interactions", "interactions", "org.postgresql.Driver", "slick.jdbc.PostgresProfile$",
        null);
  }

  /** Names this database for a forked JVM: {@code postgres} or {@code h2:<directory>}. */
  String spec() {
    return directory == null ? kind : kind + ":" + directory;
  }

  static StoreDatabase fromSpec(String spec) {
    return spec.startsWith("h2:") ? h2(Path.of(spec.substring(3))) : postgres();
  }

  /** The orchestrator's configuration: a durable store on this database, with {@code overrides} on top. */
  Config config(String overrides) {
    String store =
        "orchestrator.persistence.store = jdbc\n"
            + "orchestrator.persistence.jdbc.url = \"" + url + "\"\n"
            + "orchestrator.persistence.jdbc.user = \"" + user + "\"\n"
            + "orchestrator.persistence.jdbc.password = \"" + password + "\"\n"
            + "orchestrator.persistence.jdbc.driver = \"" + driver + "\"\n"
            + "orchestrator.persistence.jdbc.profile = \"" + profile + "\"\n";
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.parseString(store));
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(url, user, password);
  }

  private void dropTables() throws SQLException {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS event_tag, event_journal, snapshot, durable_state CASCADE");
    }
  }

  /**
   * Sizes and row counts: for H2 the files of its directory, for PostgreSQL {@code pg_database_size} and
   * {@code pg_total_relation_size} (table + indexes + TOAST) of the journal and snapshot tables.
   */
  Map<String, Long> measure() throws SQLException, IOException {
    Map<String, Long> sizes = new LinkedHashMap<>();
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      sizes.put("session_events", count(statement,
          "SELECT COUNT(*) FROM \"event_journal\" WHERE \"persistence_id\" LIKE 'Session|%'"));
      sizes.put("all_events", count(statement, "SELECT COUNT(*) FROM \"event_journal\""));
      sizes.put("snapshots", count(statement, "SELECT COUNT(*) FROM \"snapshot\""));
      // How many events the roster (sessions with pending work, resumed at start) has recorded since it began.
      sizes.put("roster_events_ever", count(statement,
          "SELECT COALESCE(MAX(\"sequence_number\"), 0) FROM \"event_journal\" WHERE \"persistence_id\" LIKE 'SessionRoster|%'"));
      if (directory == null) {
        sizes.put("database_bytes", count(statement, "SELECT pg_database_size(current_database())"));
        sizes.put("event_journal_bytes", count(statement, "SELECT pg_total_relation_size('event_journal')"));
        sizes.put("snapshot_bytes", count(statement, "SELECT pg_total_relation_size('snapshot')"));
      }
    }
    if (directory != null) {
      sizes.put("database_bytes", filesBytes());
    }
    return sizes;
  }

  /**
   * {@link #measure()} plus {@code live_row_bytes}: the bytes of the column values of every row in the journal, tag and
   * snapshot tables (variable-length values by {@code OCTET_LENGTH}, fixed-width ones at their width: BIGINT 8, INTEGER
   * 4, BOOLEAN 1). Indexes, page headers and free space are not counted: this is what any store has to keep.
   */
  Map<String, Long> measureLive() throws SQLException, IOException {
    Map<String, Long> sizes = measure();
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      sizes.put("live_row_bytes",
          count(statement, "SELECT COALESCE(SUM(8 + 1 + OCTET_LENGTH(\"persistence_id\") + 8 + OCTET_LENGTH(\"writer\") + 8"
              + " + OCTET_LENGTH(\"adapter_manifest\") + OCTET_LENGTH(\"event_payload\") + 4"
              + " + OCTET_LENGTH(\"event_ser_manifest\") + COALESCE(OCTET_LENGTH(\"meta_payload\"), 0)"
              + " + COALESCE(4 + OCTET_LENGTH(\"meta_ser_manifest\"), 0)), 0) FROM \"event_journal\"")
          + count(statement, "SELECT COALESCE(SUM(8 + OCTET_LENGTH(\"tag\")), 0) FROM \"event_tag\"")
          + count(statement, "SELECT COALESCE(SUM(OCTET_LENGTH(\"persistence_id\") + 8 + 8 + 4"
              + " + OCTET_LENGTH(\"snapshot_ser_manifest\") + OCTET_LENGTH(\"snapshot_payload\")"
              + " + COALESCE(4 + OCTET_LENGTH(\"meta_ser_manifest\"), 0) + COALESCE(OCTET_LENGTH(\"meta_payload\"), 0)), 0)"
              + " FROM \"snapshot\""));
    }
    return sizes;
  }

  /**
   * The size of a copy of the H2 file holding only its live pages, uncompressed (H2's own compaction tool, the one
   * {@code SHUTDOWN COMPACT} uses, without its compression); the database must be closed. The copy is deleted.
   */
  long compactedCopyBytes() throws IOException {
    Path source = directory.resolve("db.mv.db");
    Path copy = directory.resolve("compacted-copy.mv.db");
    MVStoreTool.compact(source.toString(), copy.toString(), false);
    try {
      return Files.size(copy);
    } finally {
      Files.delete(copy);
    }
  }

  /** Bytes of the H2 directory's files (the database file and any temporary ones). */
  long filesBytes() throws IOException {
    try (Stream<Path> files = Files.walk(directory)) {
      return files.filter(Files::isRegularFile).mapToLong(path -> path.toFile().length()).sum();
    }
  }

  /** Deletes the H2 directory and its files (nothing for PostgreSQL: its tables are dropped by the next run). */
  void deleteFiles() throws IOException {
    if (directory != null) {
      ClassPathCopy.deleteTree(directory);
    }
  }

  /** Runs one statement (VACUUM, SHUTDOWN COMPACT...) outside the orchestrator, on a connection of its own. */
  void execute(String sql) throws SQLException {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static long count(Statement statement, String sql) throws SQLException {
    try (ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
