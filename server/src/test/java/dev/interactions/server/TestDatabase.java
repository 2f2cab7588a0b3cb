package dev.interactions.server;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A database for the durable store, as the server's {@code -D} settings: an H2 file of the test's own, or the real
 * PostgreSQL server named by {@code ORCHESTRATOR_TEST_POSTGRES_URL} (with {@code …_USER}, {@code …_PASSWORD}).
 * Without that variable a PostgreSQL test is skipped on a developer machine and FAILS in CI ({@code CI=true}): a
 * PostgreSQL test that silently skips in CI would claim what it never checked.
 */
record TestDatabase(String name, List<String> settings) {

  static TestDatabase h2(Path directory) {
    return new TestDatabase(
        "H2",
        List.of(
            "orchestrator.persistence.store=jdbc",
            "orchestrator.persistence.jdbc.url=jdbc:h2:file:" + directory.resolve("interactions").toAbsolutePath()
                + ";WRITE_DELAY=0"));
  }

  /** The PostgreSQL server of this run, emptied of the previous runs' records. */
  static TestDatabase postgres() throws SQLException {
    String url = System.getenv("ORCHESTRATOR_TEST_POSTGRES_URL");
    if (url == null || url.isBlank()) {
      if ("true".equals(System.getenv("CI"))) {
        Assertions.fail("CI must run the PostgreSQL tests: set ORCHESTRATOR_TEST_POSTGRES_URL (.ci/run does)");
      }
      Assumptions.abort("ORCHESTRATOR_TEST_POSTGRES_URL is not set: no PostgreSQL server to test against");
    }
    String user = System.getenv().getOrDefault("ORCHESTRATOR_TEST_POSTGRES_USER", "interactions");
    String password = System.getenv().getOrDefault("ORCHESTRATOR_TEST_POSTGRES_PASSWORD", "interactions");
    try (Connection connection = DriverManager.getConnection(url, user, password);
        Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS event_tag, event_journal, snapshot, durable_state CASCADE");
    }
    return new TestDatabase(
        "PostgreSQL",
        List.of(
            "orchestrator.persistence.store=jdbc",
            "orchestrator.persistence.jdbc.url=" + url,
            "orchestrator.persistence.jdbc.user=" + user,
            "orchestrator.persistence.jdbc.password=" + password,
            "orchestrator.persistence.jdbc.driver=org.postgresql.Driver",
            "orchestrator.persistence.jdbc.profile=slick.jdbc.PostgresProfile$"));
  }

  /** These settings and {@code more}, as an array for {@link ServerProcess#start}. */
  String[] with(String... more) {
    String[] all = settings.toArray(new String[settings.size() + more.length]);
    System.arraycopy(more, 0, all, settings.size(), more.length);
    return all;
  }

  @Override
  public String toString() {
    return name;
  }
}
