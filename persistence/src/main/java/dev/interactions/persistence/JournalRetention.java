package dev.interactions.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Keeps the journal's size bounded by time: on every sweep it deletes the events and snapshots of sessions idle for
 * longer than the retention period, and the events of live sessions that are older than the period and already covered
 * by a later snapshot. Deletes run in batches so that no statement holds a long transaction.
 *
 * <p>Only sessions' own records are touched ({@code Session|…}); Cluster Sharding's remembered entities ({@code
 * /sharding/…}) keep their own store small (snapshots, old events deleted). A session's latest event is never deleted
 * while the session is within the period, so its sequence numbers stay monotonic.
 */
public final class JournalRetention {

  /** Messages the retention sweeper understands. */
  public sealed interface Command {}

  /** Sweeps now (besides the periodic sweeps) and replies with what was deleted. */
  public record SweepNow(ActorRef<Swept> replyTo) implements Command {}

  /** The result of one sweep. */
  public record Swept(int idleSessions, int oldEvents, String failure) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private static final String SESSIONS = "Session|%";

  private static final String IDLE_SESSIONS =
      "SELECT \"persistence_id\" FROM \"event_journal\" WHERE \"persistence_id\" LIKE ? "
          + "GROUP BY \"persistence_id\" HAVING MAX(\"write_timestamp\") < ?";

  private static final String OLD_COVERED_EVENTS =
      "DELETE FROM \"event_journal\" WHERE \"ordering\" IN ("
          + "SELECT e.\"ordering\" FROM \"event_journal\" e WHERE e.\"write_timestamp\" < ? AND e.\"persistence_id\" LIKE ? "
          + "AND e.\"sequence_number\" < (SELECT MAX(s.\"sequence_number\") FROM \"snapshot\" s "
          + "WHERE s.\"persistence_id\" = e.\"persistence_id\") "
          + "ORDER BY e.\"ordering\" LIMIT ?)";

  /** Sweeps every {@code settings.sweepInterval()}, the first time one interval after start (not during recovery). */
  static Behavior<Command> create(Database database, JdbcSettings settings) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.sweepInterval());
                  return new JournalRetention(context, database, settings).idle();
                }));
  }

  private final ActorContext<Command> context;
  private final Database database;
  private final JdbcSettings settings;
  private final Executor blocking;

  private JournalRetention(ActorContext<Command> context, Database database, JdbcSettings settings) {
    this.context = context;
    // Its lines under its own name: Pekko names a timer-driven actor's logger after what is on the stack (ActorCell).
    context.setLoggerName(JournalRetention.class);
    this.database = database;
    this.settings = settings;
    this.blocking =
        context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(JdbcSettings.BLOCKING_DISPATCHER));
  }

  private Behavior<Command> idle() {
    return Behaviors.receive(Command.class)
        .onMessageEquals(Tick.INSTANCE, () -> sweep(null))
        .onMessage(SweepNow.class, now -> sweep(now.replyTo()))
        .build();
  }

  private Behavior<Command> sweep(ActorRef<Swept> replyTo) {
    Instant cutoff = Instant.now().minus(settings.retentionPeriod());
    context.pipeToSelf(
        CompletableFuture.supplyAsync(() -> deleteOlderThan(cutoff), blocking),
        (swept, failure) -> failure == null ? swept : new Swept(0, 0, failure.toString()));
    return sweeping(replyTo);
  }

  /** One sweep at a time; a tick during a sweep is dropped, a request waits for the next sweep. */
  private Behavior<Command> sweeping(ActorRef<Swept> replyTo) {
    return Behaviors.receive(Command.class)
        .onMessageEquals(Tick.INSTANCE, Behaviors::same)
        .onMessage(SweepNow.class, now -> {
          context.getSelf().tell(now);
          return Behaviors.same();
        })
        .onMessage(
            Swept.class,
            swept -> {
              if (swept.failure() != null) {
                context.getLog().warn("retention sweep failed (retried at the next sweep): {}", swept.failure());
              } else if (swept.idleSessions() + swept.oldEvents() > 0) {
                context
                    .getLog()
                    .info(
                        "retention: deleted {} sessions idle past {} and {} older events",
                        swept.idleSessions(),
                        settings.retentionPeriod(),
                        swept.oldEvents());
              }
              if (replyTo != null) {
                replyTo.tell(swept);
              }
              return idle();
            })
        .build();
  }

  private Swept deleteOlderThan(Instant cutoff) {
    try (Connection connection = database.connection()) {
      int sessions = 0;
      List<String> idle;
      while (!(idle = idleSessions(connection, cutoff)).isEmpty()) {
        deleteSessions(connection, idle);
        sessions += idle.size();
      }
      int events = 0;
      int deleted;
      do {
        try (PreparedStatement delete = connection.prepareStatement(OLD_COVERED_EVENTS)) {
          delete.setLong(1, cutoff.toEpochMilli());
          delete.setString(2, SESSIONS);
          delete.setInt(3, settings.batchSize());
          deleted = delete.executeUpdate();
        }
        events += deleted;
      } while (deleted > 0);
      return new Swept(sessions, events, null);
    } catch (SQLException e) {
      return new Swept(0, 0, e.toString());
    }
  }

  private List<String> idleSessions(Connection connection, Instant cutoff) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(IDLE_SESSIONS)) {
      select.setString(1, SESSIONS);
      select.setLong(2, cutoff.toEpochMilli());
      select.setMaxRows(settings.batchSize());
      List<String> ids = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          ids.add(rows.getString(1));
        }
      }
      return ids;
    }
  }

  private void deleteSessions(Connection connection, List<String> persistenceIds) throws SQLException {
    String in = String.join(",", Collections.nCopies(persistenceIds.size(), "?"));
    for (String table : List.of("event_journal", "snapshot")) {
      try (PreparedStatement delete =
          connection.prepareStatement("DELETE FROM \"" + table + "\" WHERE \"persistence_id\" IN (" + in + ")")) {
        for (int i = 0; i < persistenceIds.size(); i++) {
          delete.setString(i + 1, persistenceIds.get(i));
        }
        delete.executeUpdate();
      }
    }
  }
}
