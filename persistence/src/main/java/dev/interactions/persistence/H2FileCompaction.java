package dev.interactions.persistence;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;

/**
 * Keeps the embedded H2 database's file bounded while the node runs. H2's MVStore never overwrites a page: every commit
 * writes a new chunk holding the pages it changed, and the old copies stay in older chunks as garbage. H2 reclaims them
 * in its background writer thread, but {@code WRITE_DELAY=0} (which makes every acknowledged write reach the file before
 * the acknowledgement) turns that thread off, so without this the file grows by ≈ 4–8 KB per event and only shrinks when
 * the database is closed.
 *
 * <p>Every {@code h2-compaction.interval} one step runs {@link MVStore#compactFile(int)} (what H2 itself runs when it
 * closes a database): chunks with little live data are rewritten, dead chunks are freed, chunks are moved to the start
 * and the file is truncated. Writes wait for the step (it holds the store's lock), so a step is limited to
 * {@code h2-compaction.max-time}. The step syncs the file before it overwrites anything, so neither a kill -9 nor a power
 * loss can lose what it moved; H2's retention time (how long freed chunks are kept in case the operating system had not
 * flushed the newer ones yet) is restored after each step, since {@code compactFile} sets it to zero for good.
 *
 * <p>Only an H2 database opened in this process (a {@code jdbc:h2:file:} URL) can be compacted: {@link JdbcStore} starts
 * this only when {@link #appliesTo} says so.
 */
public final class H2FileCompaction {

  /** Messages the compactor understands. */
  public sealed interface Command {}

  /** Runs a step now (besides the periodic ones) and replies with what it did. */
  public record CompactNow(ActorRef<Compacted> replyTo) implements Command {}

  /**
   * The result of one step.
   *
   * @param fileBytesBefore the file's size before the step
   * @param fileBytesAfter the file's size after it
   * @param failure why nothing could be done, or null
   */
  public record Compacted(long fileBytesBefore, long fileBytesAfter, String failure) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  /** Whether {@code database} is an H2 file database opened in this process, the only kind this can compact. */
  static boolean appliesTo(Database database) throws SQLException {
    try (Connection connection = database.connection()) {
      return store(connection) != null;
    }
  }

  /** The MVStore behind {@code connection}, or null if it is not an embedded H2 file database. */
  private static MVStore store(Connection connection) throws SQLException {
    return connection.isWrapperFor(JdbcConnection.class)
            && connection.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal local
            && local.getDatabase().isPersistent()
        ? local.getDatabase().getStore().getMvStore()
        : null;
  }

  /** Compacts every {@code settings.h2CompactionInterval()}, the first time one interval after start. */
  static Behavior<Command> create(Database database, JdbcSettings settings) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.h2CompactionInterval());
                  return new H2FileCompaction(context, database, settings).idle();
                }));
  }

  private final ActorContext<Command> context;
  private final Database database;
  private final JdbcSettings settings;
  private final Executor blocking;
  /** Whether the last step failed, so that a lasting failure is logged once, not at every interval. */
  private boolean failing;
  /** Who asked for the running step (or the one about to start). */
  private final List<ActorRef<Compacted>> answeredByThisStep = new ArrayList<>();
  /** Who asked while a step was running. */
  private final List<ActorRef<Compacted>> answeredByNextStep = new ArrayList<>();

  private H2FileCompaction(ActorContext<Command> context, Database database, JdbcSettings settings) {
    this.context = context;
    // Its lines under its own name: Pekko names a timer-driven actor's logger after what is on the stack (ActorCell).
    context.setLoggerName(H2FileCompaction.class);
    this.database = database;
    this.settings = settings;
    this.blocking =
        context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(JdbcSettings.BLOCKING_DISPATCHER));
  }

  private Behavior<Command> idle() {
    return Behaviors.receive(Command.class)
        .onMessageEquals(Tick.INSTANCE, this::compact)
        .onMessage(
            CompactNow.class,
            now -> {
              answeredByThisStep.add(now.replyTo());
              return compact();
            })
        .build();
  }

  private Behavior<Command> compact() {
    context.pipeToSelf(
        CompletableFuture.supplyAsync(this::step, blocking),
        (compacted, failure) -> failure == null ? compacted : new Compacted(0, 0, failure.toString()));
    return compacting();
  }

  /**
   * One step at a time; a tick during a step is dropped. A request during a step is answered by the next one, since
   * the running step may have looked at the file before what the requester wants compacted was written.
   */
  private Behavior<Command> compacting() {
    return Behaviors.receive(Command.class)
        .onMessageEquals(Tick.INSTANCE, Behaviors::same)
        .onMessage(
            CompactNow.class,
            now -> {
              answeredByNextStep.add(now.replyTo());
              return Behaviors.same();
            })
        .onMessage(
            Compacted.class,
            compacted -> {
              if (compacted.failure() != null && !failing) {
                context.getLog().warn("H2 file compaction failed (retried at every interval): {}", compacted.failure());
              } else if (compacted.fileBytesAfter() < compacted.fileBytesBefore()) {
                context
                    .getLog()
                    .debug("H2 file compacted from {} to {} bytes", compacted.fileBytesBefore(), compacted.fileBytesAfter());
              }
              failing = compacted.failure() != null;
              answeredByThisStep.forEach(replyTo -> replyTo.tell(compacted));
              answeredByThisStep.clear();
              if (answeredByNextStep.isEmpty()) {
                return idle();
              }
              answeredByThisStep.addAll(answeredByNextStep);
              answeredByNextStep.clear();
              return compact();
            })
        .build();
  }

  private Compacted step() {
    try (Connection connection = database.connection()) {
      MVStore store = store(connection);
      long before = store.getFileStore().size();
      int retention = store.getRetentionTime();
      try {
        store.compactFile(Math.toIntExact(settings.h2CompactionMaxTime().toMillis()));
      } finally {
        store.setRetentionTime(retention);
      }
      return new Compacted(before, store.getFileStore().size(), null);
    } catch (SQLException e) {
      return new Compacted(0, 0, e.toString());
    }
  }
}
