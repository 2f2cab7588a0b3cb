package dev.interactions.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import dev.interactions.api.ClientHandle;
import dev.interactions.api.Orchestrator;
import dev.interactions.core.Census;
import dev.interactions.core.InteractionOutcome;
import dev.interactions.core.InteractionRequest;
import dev.interactions.core.InteractionSuspendedException;
import dev.interactions.core.SessionState;
import dev.interactions.persistence.JdbcStore;
import dev.interactions.persistence.JournalRetention;
import dev.interactions.protocol.RawJson;
import java.io.BufferedReader;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Issue 5's benchmark of the durable store (Pekko Persistence JDBC on H2 or PostgreSQL), embedded through the Java API:
 *
 * <ul>
 *   <li>{@code lifecycles DB SESSIONS IN_FLIGHT [WARMUP_S MEASURED_S]}: persisted request → answer lifecycles per second
 *       and latency, closed loop, every session with one in-process client ({@code Orchestrator.attach}) answering;
 *   <li>{@code recovery DB SESSIONS PER_SESSION}: creates that many pending interactions, shuts down gracefully, then
 *       times a new orchestrator (in a fresh JVM) until every one is back ({@code recovery-restart} is that phase);
 *   <li>{@code size DB SESSIONS IN_FLIGHT LIFECYCLES MAX_SECONDS}: database size after that many lifecycles (or as many as
 *       fit in the time), before and after a retention sweep.
 *   <li>{@code h2-file SESSIONS IN_FLIGHT LIFECYCLES PERIOD_S}: issue 10's H2 file size against the live data, with the
 *       store's file compaction running as configured: half the lifecycles in one set of sessions, which then go idle,
 *       and after a 10-s pause half in another; then a retention sweep (period {@code PERIOD_S}, longer than the second
 *       half takes) deletes the first set whole, and compaction steps run until the file stops shrinking. Live data is
 *       the bytes of the live rows' column values.
 * </ul>
 *
 * <p>{@code DB} is {@code h2} (a new temporary directory each time) or {@code postgres} (the tables of database
 * {@code interactions_bench}, dropped first; {@code -Dbenchmark.postgres.url=...} to change). Settings of the store are
 * tuned with {@code -D} (e.g. {@code -Dorchestrator.persistence.jdbc.pool-size=16 -Djdbc-journal.batchSize=400}); the
 * values in force are printed with every result. Progress goes to stderr; stdout carries a summary and a {@code JSON}
 * line. See {@code docs/BENCHMARKS.md}.
 */
public final class DurableStoreBenchmark {

  private static final RawJson PAYLOAD = RawJson.parse("payload", "{\"tool\":\"rm\",\"path\":\"/tmp/file\"}");
  private static final RawJson ANSWER = RawJson.parse("value", "{\"approved\":true}");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final String RESULT_PREFIX = "RESULT ";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Settings of the durable store and sessions that the figures depend on, reported with every result. */
  private static final List<String> REPORTED_SETTINGS =
      List.of(
          "orchestrator.persistence.jdbc.pool-size",
          "orchestrator.persistence.jdbc.queue-size",
          "jdbc-journal.batchSize",
          "jdbc-journal.parallelism",
          "orchestrator.persistence.snapshot-every",
          "pekko.persistence.max-concurrent-recoveries",
          "orchestrator.persistence.jdbc.retention.period",
          "orchestrator.persistence.jdbc.retention.sweep-interval",
          "orchestrator.persistence.jdbc.retention.batch-size",
          "orchestrator.persistence.jdbc.h2-compaction.interval",
          "orchestrator.persistence.jdbc.h2-compaction.max-time",
          "orchestrator.session.closed-retention",
          "orchestrator.session.reconnect-grace");

  /** Recovery: nothing may end during the measurement, neither by deadline nor for want of a client. */
  private static final String RECOVERY_OVERRIDES =
      "orchestrator.session.reconnect-grace = 3h\n" + "orchestrator.interaction.max-timeout = 3h\n";

  private static final Duration RECOVERY_TIMEOUT = Duration.ofHours(2);
  /** h2-file: the pause between its two phases. */
  private static final Duration PHASE_GAP = Duration.ofSeconds(10);
  /** Requests issued but not yet admitted (recorded) at most while filling. */
  private static final int FILL_AHEAD = 2_000;

  private DurableStoreBenchmark() {}

  public static void main(String[] args) throws Exception {
    List<String> a = Arrays.stream(args).filter(arg -> !arg.isBlank()).toList();
    if (a.isEmpty()) {
      throw new IllegalArgumentException("mode: lifecycles, recovery or size; see the class comment");
    }
    Map<String, Object> result =
        switch (a.get(0)) {
          case "lifecycles" ->
              lifecycles(
                  a.get(1),
                  Integer.parseInt(a.get(2)),
                  Integer.parseInt(a.get(3)),
                  a.size() > 4 ? Integer.parseInt(a.get(4)) : 15,
                  a.size() > 5 ? Integer.parseInt(a.get(5)) : 30);
          case "recovery" -> recovery(a.get(1), Integer.parseInt(a.get(2)), Integer.parseInt(a.get(3)));
          case "recovery-restart" ->
              recoveryRestart(StoreDatabase.fromSpec(a.get(1)), Integer.parseInt(a.get(2)), Integer.parseInt(a.get(3)));
          case "size" ->
              size(
                  a.get(1),
                  Integer.parseInt(a.get(2)),
                  Integer.parseInt(a.get(3)),
                  Long.parseLong(a.get(4)),
                  Integer.parseInt(a.get(5)));
          case "h2-file" ->
              h2File(
                  Integer.parseInt(a.get(1)),
                  Integer.parseInt(a.get(2)),
                  Long.parseLong(a.get(3)),
                  Integer.parseInt(a.get(4)));
          default -> throw new IllegalArgumentException("unknown mode " + a.get(0) + ", see the class comment");
        };
    if (a.get(0).equals("recovery-restart")) {
      System.out.println(RESULT_PREFIX + JSON.writeValueAsString(result));
    } else {
      System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
      System.out.println("JSON " + JSON.writeValueAsString(result));
    }
    System.out.flush();
    System.exit(0);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 1. Persisted lifecycles per second

  private static Map<String, Object> lifecycles(
      String kind, int sessions, int inFlight, int warmupSeconds, int measuredSeconds) throws Exception {
    StoreDatabase database = StoreDatabase.fresh(kind);
    Map<String, Object> result = header("lifecycles", database);
    progress("lifecycles on %s: %,d sessions, %,d in flight, %d s warm-up, %d s measured",
        database.spec(), sessions, inFlight, warmupSeconds, measuredSeconds);
    try (Started started = Started.on(database, "")) {
      result.put("settings", started.settings());
      Clients clients = Clients.attach(started.orchestrator, sessions);
      String[] ids = sessionIds(sessions);
      InteractionRequest request = InteractionRequest.of("approve", PAYLOAD);
      result.put("load_average_before", Machine.currentLoadAverage());
      ClosedLoop.Window window =
          ClosedLoop.run(
              session -> started.orchestrator.request(ids[session], request),
              sessions,
              inFlight,
              Duration.ofSeconds(warmupSeconds),
              Duration.ofSeconds(measuredSeconds));
      result.put("sessions", sessions);
      result.put("in_flight", inFlight);
      result.put("warmup_seconds", warmupSeconds);
      putWindow(result, window);
      result.put("journal_write_latency", started.journalLatency());
      result.put("refused_answers", clients.refused.sum());
      result.put("first_refused_answer", clients.firstRefusal.get());
      result.put("database_size", database.measure());
      progress("  %,d lifecycles/s, p50 %s, p99 %s, failures %d, refused answers %d, other processes %.2f cores",
          result.get("lifecycles_per_second"), result.get("p50_ms"), result.get("p99_ms"), window.failures(),
          clients.refused.sum(), window.usage().otherCores());
    }
    return result;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 2. Recovery of pending interactions after a graceful restart

  private static Map<String, Object> recovery(String kind, int sessions, int perSession) throws Exception {
    StoreDatabase database = StoreDatabase.fresh(kind);
    Map<String, Object> result = header("recovery", database);
    int total = sessions * perSession;
    progress("recovery on %s: %,d sessions x %,d pending = %,d", database.spec(), sessions, perSession, total);
    String[] ids = sessionIds(sessions);
    List<CompletableFuture<InteractionOutcome>> outcomes = new ArrayList<>(total);
    try (Started started = Started.on(database, RECOVERY_OVERRIDES)) {
      result.put("settings", started.settings());
      result.put("load_average_before_fill", Machine.currentLoadAverage());
      Census census = started.census();
      InteractionRequest request = InteractionRequest.of("approve", PAYLOAD, Duration.ofHours(1));
      LongAdder endedEarly = new LongAdder();
      long fillStart = System.nanoTime();
      CpuSample before = CpuSample.now();
      for (int round = 0; round < perSession; round++) {
        for (int s = 0; s < sessions; s++) {
          CompletableFuture<InteractionOutcome> outcome = started.orchestrator.request(ids[s], request).toCompletableFuture();
          outcome.whenComplete((o, f) -> endedEarly.increment());
          outcomes.add(outcome);
          while (outcomes.size() - census.interactions() - endedEarly.sum() > FILL_AHEAD) {
            Thread.sleep(1);
          }
        }
      }
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (census.interactions() + outcomes.stream().filter(CompletableFuture::isDone).count() < total
          && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
      CpuSample.Delta usage = CpuSample.now().since(before);
      // Nothing should have ended yet (one-hour deadlines, long grace): anything that did is a failure of the store.
      Map<String, Long> ended = new LinkedHashMap<>();
      for (CompletableFuture<InteractionOutcome> outcome : outcomes) {
        if (outcome.isDone()) {
          String what = outcome.handle((o, f) -> o != null ? o.toString() : f.getCause() != null
              ? f.getCause().getClass().getSimpleName() : f.getClass().getSimpleName()).join();
          ended.merge(what, 1L, Long::sum);
          if (!result.containsKey("first_ended_during_fill")) {
            result.put("first_ended_during_fill", outcome.handle((o, f) -> String.valueOf(o != null ? o : f)).join());
          }
        }
      }
      result.put("ended_during_fill", ended);
      result.put("issued", outcomes.size());
      if (!ended.isEmpty()) {
        progress("  STORE FAILURE: %s of %,d requests ended while filling; first: %s", ended, outcomes.size(),
            result.get("first_ended_during_fill"));
      }
      result.put("fill_seconds", round(fillSeconds, 2));
      result.put("fill_requests_per_second", Math.round(total / fillSeconds));
      result.put("fill_other_processes_cores", round(usage.otherCores(), 2));
      result.put("pending_before_shutdown", census.interactions());
      progress("  %,d pending after %.1f s (%,.0f requests recorded/s)", census.interactions(), fillSeconds,
          total / fillSeconds);
      // What the roster has recorded when the shutdown starts: every session with pending work should be on it.
      Map<String, Long> atFillEnd = database.measure();
      result.put("database_at_fill_end", atFillEnd);
      progress("  at fill end: %s", atFillEnd);
      long closeStart = System.nanoTime();
      started.close();
      result.put("graceful_shutdown_seconds", round((System.nanoTime() - closeStart) / 1e9, 2));
    }
    long suspended = 0;
    long otherwise = 0;
    String firstOther = null;
    for (CompletableFuture<InteractionOutcome> outcome : outcomes) {
      try {
        InteractionOutcome ended = outcome.getNow(null);
        otherwise++;
        firstOther = firstOther == null ? String.valueOf(ended) : firstOther;
      } catch (CompletionException e) {
        if (e.getCause() instanceof InteractionSuspendedException) {
          suspended++;
        } else {
          otherwise++;
          firstOther = firstOther == null ? e.getCause().toString() : firstOther;
        }
      }
    }
    result.put("requesters_told_suspended", suspended);
    result.put("requesters_told_otherwise", otherwise);
    result.put("first_otherwise", firstOther);
    result.put("database_after_shutdown", database.measure());
    progress("  shut down: %,d requesters suspended, %,d otherwise (%s); restarting in a fresh JVM",
        suspended, otherwise, firstOther);
    result.put("load_average_before_restart", Machine.currentLoadAverage());
    result.put("restart", forked("recovery-restart", database.spec(), sessions, perSession));
    return result;
  }

  /** The phase in a fresh JVM: from {@code Orchestrator.start} until every pending interaction is back. */
  private static Map<String, Object> recoveryRestart(StoreDatabase database, int sessions, int perSession)
      throws Exception {
    int total = sessions * perSession;
    Map<String, Object> result = new LinkedHashMap<>();
    Recorder recoveries = new Recorder(3);
    CpuSample before = CpuSample.now();
    long start = System.nanoTime();
    Orchestrator orchestrator = Orchestrator.start(database.config(RECOVERY_OVERRIDES));
    Census census = Census.get(orchestrator.system());
    census.observe(
        new Census.Observer() {
          @Override
          public void sessionRecovered(Duration duration) {
            recoveries.recordValue(duration.toNanos());
          }
        });
    double started = seconds(start);
    JdbcStore.start(orchestrator.system()).toCompletableFuture().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    double storeStarted = seconds(start);
    double half = -1;
    // Until all are back, or until the count has not moved for 30 s (then it reports where it stalled).
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    long lastCount = -1;
    long lastChange = System.nanoTime();
    double lastIncrease = 0;
    while (census.interactions() < total && System.nanoTime() < deadline
        && System.nanoTime() - lastChange < TimeUnit.SECONDS.toNanos(30)) {
      long count = census.interactions();
      if (count != lastCount) {
        lastCount = count;
        lastChange = System.nanoTime();
        lastIncrease = seconds(start);
      }
      if (half < 0 && count >= total / 2) {
        half = seconds(start);
      }
      Thread.sleep(5);
    }
    double all = census.interactions() >= total ? seconds(start) : -1;
    result.put("last_increase_seconds", round(lastIncrease, 3));
    CpuSample.Delta usage = CpuSample.now().since(before);
    result.put("orchestrator_start_returned_seconds", round(started, 3));
    result.put("store_started_seconds", round(storeStarted, 3));
    result.put("half_of_interactions_seconds", round(half, 3));
    result.put("all_interactions_seconds", round(all, 3));
    result.put("interactions_recovered", census.interactions());
    result.put("sessions_live", census.sessions());
    result.put("other_processes_cores", round(usage.otherCores(), 2));
    result.put("process_cores", round(usage.processCores(), 2));
    Histogram perSessionRecovery = recoveries.getIntervalHistogram();
    result.put("session_recovery_p50_ms", round(perSessionRecovery.getValueAtPercentile(50) / 1e6, 1));
    result.put("session_recovery_p99_ms", round(perSessionRecovery.getValueAtPercentile(99) / 1e6, 1));
    result.put("session_recovery_max_ms", round(perSessionRecovery.getMaxValue() / 1e6, 1));
    result.put("sessions_reporting_recovery", perSessionRecovery.getTotalCount());
    progress("  restart: %,d interactions in %,d sessions after %.2f s (start returned %.2f s, half at %.2f s)",
        census.interactions(), census.sessions(), all, started, half);
    // Every session's state, as a client or the API sees it.
    long pending = 0;
    int wrong = 0;
    String[] ids = sessionIds(sessions);
    for (int from = 0; from < sessions; from += 1_000) {
      List<CompletableFuture<SessionState>> batch = new ArrayList<>();
      for (int s = from; s < Math.min(sessions, from + 1_000); s++) {
        batch.add(orchestrator.state(ids[s]).toCompletableFuture());
      }
      for (CompletableFuture<SessionState> state : batch) {
        int n = state.get(60, TimeUnit.SECONDS).pending().size();
        pending += n;
        wrong += n == perSession ? 0 : 1;
      }
    }
    result.put("states_checked_seconds", round(seconds(start), 3));
    result.put("pending_in_states", pending);
    result.put("sessions_with_wrong_count", wrong);
    progress("  states: %,d pending in %,d sessions, %d sessions with another count than %d, at %.2f s",
        pending, sessions, wrong, perSession, seconds(start));
    orchestrator.close();
    return result;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 3. Database size after many lifecycles, before and after retention

  private static Map<String, Object> size(String kind, int sessions, int inFlight, long lifecycles, int maxSeconds)
      throws Exception {
    StoreDatabase database = StoreDatabase.fresh(kind);
    Map<String, Object> result = header("size", database);
    Duration period = Duration.ofSeconds(30);
    String overrides =
        "orchestrator.persistence.jdbc.retention.period = " + period.toSeconds() + "s\n"
            + "orchestrator.persistence.jdbc.retention.sweep-interval = 24h\n";
    progress("size on %s: %,d sessions, %,d in flight, %,d lifecycles or %d s, retention period %s",
        database.spec(), sessions, inFlight, lifecycles, maxSeconds, period);
    try (Started started = Started.on(database, overrides)) {
      result.put("settings", started.settings());
      result.put("empty", database.measure());
      Clients clients = Clients.attach(started.orchestrator, sessions);
      String[] ids = sessionIds(sessions);
      InteractionRequest request = InteractionRequest.of("approve", PAYLOAD);
      result.put("load_average_before", Machine.currentLoadAverage());
      ClosedLoop.Window window =
          ClosedLoop.runCycles(
              session -> started.orchestrator.request(ids[session], request),
              sessions,
              inFlight,
              lifecycles,
              Duration.ofSeconds(maxSeconds));
      Instant lastWrite = Instant.now();
      result.put("sessions", sessions);
      result.put("in_flight", inFlight);
      result.put("target_lifecycles", lifecycles);
      result.put("max_seconds", maxSeconds);
      putWindow(result, window);
      result.put("refused_answers", clients.refused.sum());
      result.put("first_refused_answer", clients.firstRefusal.get());
      progress("  %,d lifecycles in %.0f s (%,.0f/s), %d failures, %d refused answers",
          window.cycles(), window.usage().seconds(), window.cycles() / window.usage().seconds(), window.failures(),
          clients.refused.sum());
      Map<String, Long> beforeRetention = database.measure();
      result.put("before_retention", beforeRetention);
      progress("  before retention: %s", beforeRetention);
      Duration wait = Duration.between(Instant.now(), lastWrite.plus(period).plusSeconds(5));
      if (!wait.isNegative()) {
        Thread.sleep(wait.toMillis());
      }
      long sweepStart = System.nanoTime();
      JournalRetention.Swept swept = started.store.sweep(Duration.ofMinutes(30)).toCompletableFuture().join();
      result.put("sweep_seconds", round(seconds(sweepStart), 2));
      result.put("swept_sessions", swept.idleSessions());
      result.put("swept_old_events", swept.oldEvents());
      result.put("sweep_failure", swept.failure());
      Map<String, Long> afterSweep = database.measure();
      result.put("after_sweep", afterSweep);
      progress("  sweep in %.1f s: %s; after: %s", seconds(sweepStart), swept, afterSweep);
    }
    // Outside the store, for reference: what the space would be once the database reclaims it.
    result.put("after_orchestrator_closed", database.measure());
    if (database.directory() != null) {
      database.execute("SHUTDOWN COMPACT");
      result.put("h2_after_shutdown_compact", database.measure());
    } else {
      database.execute("VACUUM");
      result.put("postgres_after_vacuum", database.measure());
      database.execute("VACUUM FULL");
      result.put("postgres_after_vacuum_full", database.measure());
    }
    progress("  reclaimed by hand: %s", result.get(database.directory() != null
        ? "h2_after_shutdown_compact" : "postgres_after_vacuum_full"));
    return result;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 4. The H2 file against its live data, with the store's compaction (issue 10)

  private static Map<String, Object> h2File(int sessions, int inFlight, long lifecycles, int periodSeconds)
      throws Exception {
    StoreDatabase database = StoreDatabase.fresh("h2");
    Map<String, Object> result = header("h2-file", database);
    Duration period = Duration.ofSeconds(periodSeconds);
    String overrides =
        "orchestrator.persistence.jdbc.retention.period = " + periodSeconds + "s\n"
            + "orchestrator.persistence.jdbc.retention.sweep-interval = 24h\n";
    progress("h2-file: %,d sessions x 2, %,d in flight, %,d lifecycles, retention period %s", sessions, inFlight,
        lifecycles, period);
    FileSizeSampler peak = new FileSizeSampler(database);
    try (Started started = Started.on(database, overrides)) {
      result.put("settings", started.settings());
      result.put("empty", database.measureLive());
      InteractionRequest request = InteractionRequest.of("approve", PAYLOAD);
      result.put("load_average_before", Machine.currentLoadAverage());
      // Phase A: these sessions go idle afterwards, and the sweep deletes them.
      result.put("phase_a", phase(started, "a", sessions, inFlight, lifecycles / 2, request));
      Instant phaseAEnd = Instant.now();
      result.put("after_phase_a", database.measureLive());
      // A pause between the phases, so that the sweep's cutoff (its start minus the period) can fall between them:
      // phase A's sessions are then idle past the period and deleted whole, and none of phase B's events is old
      // enough to be deleted.
      Thread.sleep(PHASE_GAP.toMillis());
      result.put("phase_b", phase(started, "b", sessions, inFlight, lifecycles - lifecycles / 2, request));
      Map<String, Long> afterLifecycles = database.measureLive();
      result.put("after_lifecycles", withRatio(afterLifecycles));
      result.put("peak_file_bytes_during_lifecycles", peak.peak());
      progress("  after %,d lifecycles: %s (peak %,d)", lifecycles, result.get("after_lifecycles"), peak.peak());
      Duration wait = Duration.between(Instant.now(), phaseAEnd.plus(PHASE_GAP.dividedBy(2)).plus(period));
      if (wait.isNegative()) {
        throw new IllegalStateException("phase B took longer than the retention period: raise PERIOD_S");
      }
      progress("  waiting %d s for phase A's sessions to pass the retention period", wait.toSeconds());
      Thread.sleep(wait.toMillis());
      result.put("before_sweep", withRatio(database.measureLive()));
      long sweepStart = System.nanoTime();
      JournalRetention.Swept swept = started.store.sweep(Duration.ofMinutes(30)).toCompletableFuture().join();
      result.put("sweep_seconds", round(seconds(sweepStart), 2));
      result.put("swept", swept.toString());
      result.put("after_sweep", withRatio(database.measureLive()));
      progress("  sweep %s in %.1f s; after: %s", swept, seconds(sweepStart), result.get("after_sweep"));
      // Compaction steps (the same the store runs every interval) until the file stops shrinking.
      long compactionStart = System.nanoTime();
      int steps = 0;
      int withoutProgress = 0;
      long smallest = Long.MAX_VALUE;
      List<Long> stepMillis = new ArrayList<>();
      while (withoutProgress < 3 && steps < 200) {
        long stepStart = System.nanoTime();
        var step = started.store.compactH2File(Duration.ofMinutes(5)).toCompletableFuture().join();
        stepMillis.add(Math.round((System.nanoTime() - stepStart) / 1e6));
        if (step.failure() != null) {
          throw new IllegalStateException("compaction failed: " + step.failure());
        }
        steps++;
        if (steps == 1) {
          result.put("after_first_compaction_step", withRatio(database.measureLive()));
        }
        withoutProgress = step.fileBytesAfter() < smallest ? 0 : withoutProgress + 1;
        smallest = Math.min(smallest, step.fileBytesAfter());
      }
      result.put("compaction_steps", steps);
      result.put("compaction_step_ms", stepMillis);
      result.put("compaction_seconds", round(seconds(compactionStart), 2));
      result.put("after_compaction", withRatio(database.measureLive()));
      progress("  after %d compaction steps in %.1f s: %s", steps, seconds(compactionStart), result.get("after_compaction"));
    }
    peak.stop();
    // H2 compacts for MAX_COMPACT_TIME (200 ms by default) when the last connection closes.
    result.put("after_close_file_bytes", database.filesBytes());
    // For reference, what the live data takes in a store of its own: a full copy without the garbage (not compressed),
    // and what SHUTDOWN COMPACT leaves (H2 compresses that copy).
    result.put("compacted_copy_file_bytes", database.compactedCopyBytes());
    database.execute("SHUTDOWN COMPACT");
    result.put("after_shutdown_compact_file_bytes", database.filesBytes());
    progress("  after close %,d; compacted copy %,d; after SHUTDOWN COMPACT %,d", result.get("after_close_file_bytes"),
        result.get("compacted_copy_file_bytes"), result.get("after_shutdown_compact_file_bytes"));
    return result;
  }

  private static Map<String, Object> phase(
      Started started, String prefix, int sessions, int inFlight, long lifecycles, InteractionRequest request)
      throws Exception {
    String[] ids = new String[sessions];
    for (int i = 0; i < sessions; i++) {
      ids[i] = prefix + "-" + i;
    }
    Clients clients = Clients.attach(started.orchestrator, ids);
    ClosedLoop.Window window =
        ClosedLoop.runCycles(
            session -> started.orchestrator.request(ids[session], request),
            sessions,
            inFlight,
            lifecycles,
            Duration.ofHours(2));
    Map<String, Object> result = new LinkedHashMap<>();
    putWindow(result, window);
    result.put("journal_write_latency", started.journalLatency());
    result.put("refused_answers", clients.refused.sum());
    progress("  phase %s: %,d lifecycles in %.0f s (%,.0f/s), p50 %s ms, p99 %s ms, %d failures", prefix,
        window.cycles(), window.usage().seconds(), window.cycles() / window.usage().seconds(), result.get("p50_ms"),
        result.get("p99_ms"), window.failures());
    return result;
  }

  private static Map<String, Object> withRatio(Map<String, Long> sizes) {
    Map<String, Object> withRatio = new LinkedHashMap<>(sizes);
    long live = sizes.get("live_row_bytes");
    withRatio.put("file_per_live", live == 0 ? null : round((double) sizes.get("database_bytes") / live, 2));
    long events = sizes.get("all_events");
    withRatio.put("file_bytes_per_event", events == 0 ? null : sizes.get("database_bytes") / events);
    return withRatio;
  }

  /** The largest size the H2 directory had, sampled every 100 ms on a thread of its own. */
  private static final class FileSizeSampler {
    private final java.util.concurrent.ScheduledExecutorService sampler =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    private final java.util.concurrent.atomic.AtomicLong peak = new java.util.concurrent.atomic.AtomicLong();

    FileSizeSampler(StoreDatabase database) {
      sampler.scheduleAtFixedRate(
          () -> {
            try {
              peak.accumulateAndGet(database.filesBytes(), Math::max);
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
              // a file H2 deletes while it is listed (a temporary one): the next sample sees the directory again
            }
          },
          0,
          100,
          TimeUnit.MILLISECONDS);
    }

    long peak() {
      return peak.get();
    }

    void stop() {
      sampler.shutdownNow();
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** An orchestrator on a durable store, started as a server starts it; closing it shuts it down gracefully. */
  private static final class Started implements AutoCloseable {
    final Orchestrator orchestrator;
    final JdbcStore store;
    final Recorder journalWrites = new Recorder(3);
    private boolean closed;

    private Started(Orchestrator orchestrator, JdbcStore store) {
      this.orchestrator = orchestrator;
      this.store = store;
    }

    static Started on(StoreDatabase database, String overrides) throws Exception {
      Orchestrator orchestrator = Orchestrator.start(database.config(overrides));
      JdbcStore store =
          JdbcStore.start(orchestrator.system()).toCompletableFuture().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      Started started = new Started(orchestrator, store);
      started.census()
          .observe(
              new Census.Observer() {
                @Override
                public void journalWritten(Duration latency) {
                  started.journalWrites.recordValue(latency.toNanos());
                }
              });
      return started;
    }

    Census census() {
      return Census.get(orchestrator.system());
    }

    Map<String, String> settings() {
      Config config = orchestrator.system().settings().config();
      Map<String, String> settings = new LinkedHashMap<>();
      for (String path : REPORTED_SETTINGS) {
        settings.put(path, config.hasPath(path) ? config.getValue(path).unwrapped().toString() : "unset");
      }
      return settings;
    }

    /** Journal write latency (the session's persist until its handler runs) since the last call. */
    Map<String, Object> journalLatency() {
      Histogram h = journalWrites.getIntervalHistogram();
      Map<String, Object> latency = new LinkedHashMap<>();
      latency.put("writes", h.getTotalCount());
      latency.put("p50_ms", round(h.getValueAtPercentile(50) / 1e6, 2));
      latency.put("p99_ms", round(h.getValueAtPercentile(99) / 1e6, 2));
      latency.put("max_ms", round(h.getMaxValue() / 1e6, 2));
      return latency;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        orchestrator.close();
      }
    }
  }

  /** One answering in-process client per session, attached through {@code Orchestrator.attach}. */
  private record Clients(LongAdder refused, AtomicReference<String> firstRefusal) {
    static Clients attach(Orchestrator orchestrator, int sessions) {
      return attach(orchestrator, sessionIds(sessions));
    }

    static Clients attach(Orchestrator orchestrator, String[] ids) {
      Clients clients = new Clients(new LongAdder(), new AtomicReference<>());
      int sessions = ids.length;
      for (int from = 0; from < sessions; from += 1_000) {
        List<CompletableFuture<ClientHandle>> batch = new ArrayList<>();
        for (int s = from; s < Math.min(sessions, from + 1_000); s++) {
          AnsweringListener listener = new AnsweringListener(ANSWER, clients.refused, clients.firstRefusal);
          batch.add(orchestrator.attach(ids[s], listener).toCompletableFuture().thenApply(handle -> {
            listener.attached(handle);
            return handle;
          }));
        }
        batch.forEach(CompletableFuture::join);
      }
      return clients;
    }
  }

  private static void putWindow(Map<String, Object> result, ClosedLoop.Window window) {
    Histogram latency = window.latencyNanos();
    CpuSample.Delta usage = window.usage();
    result.put("measured_seconds", round(usage.seconds(), 2));
    result.put("lifecycles", window.cycles());
    result.put("lifecycles_per_second", Math.round(window.cycles() / usage.seconds()));
    result.put("p50_ms", round(latency.getValueAtPercentile(50) / 1e6, 2));
    result.put("p90_ms", round(latency.getValueAtPercentile(90) / 1e6, 2));
    result.put("p99_ms", round(latency.getValueAtPercentile(99) / 1e6, 2));
    result.put("p999_ms", round(latency.getValueAtPercentile(99.9) / 1e6, 2));
    result.put("max_ms", round(latency.getMaxValue() / 1e6, 2));
    result.put("mean_in_flight", round(window.cycles() / usage.seconds() * latency.getMean() / 1e9, 0));
    result.put("failures", window.failures());
    result.put("first_failure", window.firstFailure() == null ? null : window.firstFailure().toString());
    result.put("cpu_us_per_lifecycle",
        window.cycles() == 0 ? 0 : round(usage.processCores() * usage.seconds() * 1e6 / window.cycles(), 1));
    result.put("process_cores", round(usage.processCores(), 2));
    result.put("other_processes_cores", round(usage.otherCores(), 2));
    result.put("gc_ms", usage.gcMillis());
    result.put("requester_handoffs", window.handoffs());
    result.put("drained", window.drained());
  }

  private static Map<String, Object> header(String scenario, StoreDatabase database) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("scenario", scenario);
    result.put("database", database.kind());
    result.put("url", database.url());
    result.put("started_at", Instant.now().toString());
    result.put("machine", Machine.describe());
    return result;
  }

  private static String[] sessionIds(int sessions) {
    String[] ids = new String[sessions];
    for (int i = 0; i < sessions; i++) {
      ids[i] = "session-" + i;
    }
    return ids;
  }

  /** Runs {@code mode} in a fresh JVM with this JVM's flags and class path, and reads back its result. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> forked(String mode, Object... arguments) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(DurableStoreBenchmark.class.getName());
    command.add(mode);
    Arrays.stream(arguments).map(String::valueOf).forEach(command::add);
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Map<String, Object> result = null;
    try (BufferedReader output = process.inputReader()) {
      for (String line = output.readLine(); line != null; line = output.readLine()) {
        if (line.startsWith(RESULT_PREFIX)) {
          result = JSON.readValue(line.substring(RESULT_PREFIX.length()), Map.class);
        } else {
          System.err.println("  [" + mode + "] " + line);
        }
      }
    }
    int exit = process.waitFor();
    if (exit != 0 || result == null) {
      throw new IllegalStateException(mode + " failed with exit code " + exit);
    }
    return result;
  }

  private static double seconds(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1e9;
  }

  private static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }

  private static void progress(String format, Object... args) {
    String message = String.format(Locale.ROOT, format, args);
    System.err.printf(Locale.ROOT, "%tT %s%n", System.currentTimeMillis(), message);
  }
}
