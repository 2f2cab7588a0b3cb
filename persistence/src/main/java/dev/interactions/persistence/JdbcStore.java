package dev.interactions.persistence;

import dev.interactions.core.Session;
import dev.interactions.core.SessionEvent;
import dev.interactions.core.StoreSettings;
import dev.interactions.protocol.OutcomeCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable store of sessions on a JDBC database: started once per node when {@code orchestrator.persistence.store =
 * jdbc}. It creates the schema if asked to, runs the {@link JournalRetention} sweeper and, on an embedded H2 file
 * database, the {@link H2FileCompaction}, answers health checks, and reads the history of closed interactions from the
 * journal as a stream (one page at a time, never a whole history).
 */
public final class JdbcStore {

  private static final Logger log = LoggerFactory.getLogger(JdbcStore.class);

  private final ActorSystem<?> system;
  private final JdbcSettings settings;
  private final Database database;
  private final Executor blocking;
  private final CurrentEventsByPersistenceIdQuery journal;
  private final ActorRef<JournalRetention.Command> retention;
  private final Optional<ActorRef<H2FileCompaction.Command>> compaction;

  private JdbcStore(
      ActorSystem<?> system, JdbcSettings settings, Database database, Executor blocking, boolean compactH2File) {
    this.system = system;
    this.settings = settings;
    this.database = database;
    this.blocking = blocking;
    // The same query plugin the sessions read their remembered outcomes with (orchestrator.persistence.jdbc).
    String readJournal =
        StoreSettings.from(system.settings().config())
            .readJournalPluginId()
            .orElseThrow(() -> new IllegalStateException("the jdbc store is not the configured store"));
    this.journal = PersistenceQuery.get(system).getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, readJournal);
    this.retention =
        system.systemActorOf(JournalRetention.create(database, settings), "journal-retention", Props.empty());
    this.compaction =
        compactH2File
            ? Optional.of(
                system.systemActorOf(H2FileCompaction.create(database, settings), "h2-file-compaction", Props.empty()))
            : Optional.empty();
  }

  /**
   * Starts the store of {@code system}: applies the schema (when configured), then starts retention (and compaction of
   * an embedded H2 file). Fails if the database cannot be reached, so that a server does not open its port on a store
   * it cannot use.
   */
  public static CompletionStage<JdbcStore> start(ActorSystem<?> system) {
    JdbcSettings settings = JdbcSettings.from(system.settings().config());
    Database database = new Database(system);
    Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig(JdbcSettings.BLOCKING_DISPATCHER));
    return CompletableFuture.supplyAsync(
            () -> {
              if (settings.createSchema()) {
                applySchema(database, settings.schemaResource());
              }
              return isH2File(database);
            },
            blocking)
        .thenApply(compactH2File -> new JdbcStore(system, settings, database, blocking, compactH2File));
  }

  private static boolean isH2File(Database database) {
    try {
      return H2FileCompaction.appliesTo(database);
    } catch (SQLException e) {
      throw new IllegalStateException("could not reach the database: " + e.getMessage(), e);
    }
  }

  private static void applySchema(Database database, String resource) {
    try (Connection connection = database.connection();
        Statement statement = connection.createStatement()) {
      for (String sql : statements(resource)) {
        statement.execute(sql);
      }
      log.info("schema {} applied", resource);
    } catch (SQLException e) {
      throw new IllegalStateException("could not apply the schema " + resource + ": " + e.getMessage(), e);
    }
  }

  private static List<String> statements(String resource) {
    try (InputStream in = JdbcStore.class.getResourceAsStream(resource)) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      StringBuilder withoutComments = new StringBuilder();
      text.lines().filter(line -> !line.strip().startsWith("--")).forEach(line -> withoutComments.append(line).append('\n'));
      List<String> statements = new ArrayList<>();
      for (String sql : withoutComments.toString().split(";")) {
        if (!sql.isBlank()) {
          statements.add(sql.strip());
        }
      }
      return statements;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether the database answers a trivial query within the pool's connection timeout. */
  public CompletionStage<Boolean> ping() {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Connection connection = database.connection();
              Statement statement = connection.createStatement()) {
            return statement.execute("SELECT 1");
          } catch (SQLException e) {
            return false;
          }
        },
        blocking);
  }

  /**
   * A page of session {@code sessionId}'s closed interactions, oldest first: those after cursor {@code after} (empty:
   * from the start), with outcome {@code status} if given, at most {@code limit} (capped at
   * {@code orchestrator.persistence.jdbc.history.max-limit}). Reads the journal as a stream: memory is bounded by the
   * page, not by the history.
   */
  public CompletionStage<HistoryPage> history(
      String sessionId, Optional<OutcomeCode> status, int limit, Optional<Long> after) {
    int pageSize = Math.max(1, Math.min(limit, settings.historyMaxLimit()));
    long from = after.map(seq -> seq + 1).orElse(0L);
    return journal
        .currentEventsByPersistenceId(Session.persistenceId(sessionId).id(), from, Long.MAX_VALUE)
        .filter(envelope -> envelope.event() instanceof SessionEvent.Closed closed
            && status.map(code -> code == closed.outcome()).orElse(true))
        .take(pageSize + 1L)
        .runWith(Sink.seq(), system)
        .thenApply(envelopes -> page(envelopes, pageSize));
  }

  private static HistoryPage page(List<EventEnvelope> envelopes, int pageSize) {
    List<HistoryPage.Entry> entries = new ArrayList<>(Math.min(envelopes.size(), pageSize));
    for (int i = 0; i < Math.min(envelopes.size(), pageSize); i++) {
      EventEnvelope envelope = envelopes.get(i);
      entries.add(new HistoryPage.Entry(envelope.sequenceNr(), (SessionEvent.Closed) envelope.event()));
    }
    Optional<String> next =
        envelopes.size() > pageSize
            ? Optional.of(Long.toString(entries.get(entries.size() - 1).sequenceNr()))
            : Optional.empty();
    return new HistoryPage(entries, next);
  }

  /** Runs a retention sweep now and completes with what it deleted. */
  public CompletionStage<JournalRetention.Swept> sweep(Duration timeout) {
    return AskPattern.ask(retention, JournalRetention.SweepNow::new, timeout, system.scheduler());
  }

  /**
   * Runs a step of the H2 file's compaction now and completes with the file's size before and after it; on any other
   * database than an embedded H2 file, completes at once with a failure saying so.
   */
  public CompletionStage<H2FileCompaction.Compacted> compactH2File(Duration timeout) {
    return compaction
        .<CompletionStage<H2FileCompaction.Compacted>>map(
            compactor ->
                AskPattern.ask(compactor, H2FileCompaction.CompactNow::new, timeout, system.scheduler()))
        .orElseGet(
            () ->
                CompletableFuture.completedFuture(
                    new H2FileCompaction.Compacted(0, 0, "not an H2 file database opened in this process")));
  }

  /** The settings in force. */
  public JdbcSettings settings() {
    return settings;
  }
}
