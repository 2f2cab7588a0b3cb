package dev.interactions.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.interactions.api.Orchestrator;
import dev.interactions.core.InteractionRequest;
import dev.interactions.core.SessionDirectory;
import dev.interactions.protocol.RawJson;
import dev.interactions.protocol.ServerMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Issue 2's benchmark of the embedded core, in one run: request → answer cycles per second and latency with 1, 1,000
 * and 100,000 sessions, against the naive design of the seed audits under the same load; then, each in a fresh JVM,
 * retained heap per idle session and per pending interaction. Prints a markdown report and the same figures as one
 * JSON line, and writes the JSON to {@code benchmarks/target/}. See {@code docs/BENCHMARKS.md}.
 *
 * <pre>
 * mvn -B -o -q install -DskipTests &amp;&amp; mvn -B -o -q -pl benchmarks exec:exec
 * </pre>
 *
 * <p>Arguments: {@code full} (the default, about six minutes) or {@code quick} (the same code with small numbers, a
 * smoke run). {@code orchestrator SESSIONS IN_FLIGHT} and {@code naive SESSIONS IN_FLIGHT} run one load scenario alone;
 * {@code load-pass PLAN}, {@code diagnostic-pass PLAN}, {@code memory-idle N} and
 * {@code memory-pending SESSIONS PER_SESSION [memory|h2]} are the phases a run forks, each in a fresh JVM with this
 * JVM's flags ({@code h2}: the pending-interaction phase on a durable store, alone).
 */
public final class EmbeddedCoreBenchmark {

  /** The shape of one run. */
  record Plan(
      String name,
      long warmupSeconds,
      long measuredSeconds,
      List<Integer> sessionCounts,
      int inFlight,
      int idleSessions,
      int pendingSessions,
      int pendingPerSession) {}

  /**
   * One measured scenario. Latencies in microseconds; CPU in cores (1.0 = one core busy for the whole window);
   * {@code meanInFlight} = cycles/s × mean latency (Little's law), which should be close to {@code inFlight}.
   */
  record LoadResult(
      String design,
      String configuration,
      int sessions,
      int inFlight,
      double warmupSeconds,
      double measuredSeconds,
      long cycles,
      double cyclesPerSecond,
      double p50Micros,
      double p90Micros,
      double p99Micros,
      double p999Micros,
      double maxMicros,
      double meanMicros,
      double meanInFlight,
      long failures,
      String firstFailure,
      double cpuMicrosPerCycle,
      double processCores,
      double machineBusyCores,
      double otherProcessesCores,
      long gcMillis,
      long gcCount,
      double setupSeconds,
      String loadAverageBefore,
      long requesterHandoffs,
      boolean drained,
      String note) {}

  /** Several load results, as a forked JVM hands them back. */
  record LoadResults(List<LoadResult> results) {}

  /** The naive baseline against the orchestrator (default configuration) at one session count. */
  record Ratio(
      int sessions, double orchestratorCyclesPerSecond, double naiveCyclesPerSecond, double naivePerOrchestrator) {}

  record Report(
      String startedAt,
      double elapsedSeconds,
      Machine machine,
      String orchestratorJar,
      Plan plan,
      String orchestratorOverrides,
      List<LoadResult> throughput,
      List<Ratio> ratios,
      List<LoadResult> diagnostic,
      RetainedHeap.IdleSessions idleSessions,
      RetainedHeap.PendingInteractions pendingInteractions) {}

  private static final Plan FULL = new Plan("full", 5, 10, List.of(1, 1_000, 100_000), 1_000, 100_000, 1_000, 100);
  private static final Plan QUICK = new Plan("quick", 1, 2, List.of(1, 1_000, 10_000), 1_000, 10_000, 100, 100);

  /**
   * One session must hold every request in flight, so the default of 100 pending per session is raised for the load
   * runs; to twice the number in flight because a requester hears its outcome before its session has counted the
   * interaction out, and may already have requested the next one.
   */
  private static final String DEFAULT_CONFIGURATION = "orchestrator.session.max-pending-interactions = 2000";

  private static final String NO_RETENTION_CONFIGURATION =
      DEFAULT_CONFIGURATION + "\norchestrator.session.closed-retention = 0s";

  /**
   * With one or two CPUs the common pool has a parallelism of 1, and {@code CompletableFuture} then runs every
   * {@code *Async} callback given no executor on a thread of its own. The diagnostic pass sets it to 2.
   */
  static final String COMMON_POOL_FLAG = "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2";

  private static final RawJson PAYLOAD = RawJson.parse("payload", "{\"tool\":\"rm\",\"path\":\"/tmp/file\"}");
  private static final RawJson ANSWER = RawJson.parse("value", "{\"approved\":true}");
  /** The naive design's deadline: the orchestrator's {@code default-timeout}. */
  private static final Duration NAIVE_TIMEOUT = Duration.ofMinutes(5);
  /**
   * As many client threads as Pekko's default dispatcher has on this machine (its parallelism-min is 8), behind one
   * shared FIFO queue. Not a {@code ForkJoinPool}: there, a worker that submits the client's task from a requester's
   * callback keeps it in its own queue and runs that requester's loop to completion, while the other requesters'
   * tasks wait in the submission queue; only 8 of 1,000 were really in flight.
   */
  private static final int NAIVE_CLIENT_THREADS = 8;
  private static final Duration ATTACH_TIMEOUT = Duration.ofSeconds(60);

  private static final String RESULT_PREFIX = "RESULT ";
  private static final ObjectMapper JSON = new ObjectMapper();

  private EmbeddedCoreBenchmark() {}

  public static void main(String[] args) throws Exception {
    List<String> arguments = Arrays.stream(args).filter(a -> !a.isBlank()).toList();
    String mode = arguments.isEmpty() ? "full" : arguments.get(0);
    switch (mode) {
      case "full" -> run(FULL);
      case "quick" -> run(QUICK);
      case "orchestrator" -> {
        int sessions = Integer.parseInt(arguments.get(1));
        int inFlight = Integer.parseInt(arguments.get(2));
        System.out.println(summary(orchestrator("default", DEFAULT_CONFIGURATION, sessions, inFlight, FULL)));
      }
      case "naive" -> {
        int sessions = Integer.parseInt(arguments.get(1));
        int inFlight = Integer.parseInt(arguments.get(2));
        System.out.println(summary(naive(sessions, inFlight, FULL)));
      }
      case "load-pass" -> printResult(loadPass(FULL.name().equals(arguments.get(1)) ? FULL : QUICK));
      case "diagnostic-pass" -> printResult(diagnosticPass(FULL.name().equals(arguments.get(1)) ? FULL : QUICK));
      case "memory-idle" -> printResult(RetainedHeap.idleSessions(Integer.parseInt(arguments.get(1))));
      case "memory-pending" -> {
        int sessions = Integer.parseInt(arguments.get(1));
        int perSession = Integer.parseInt(arguments.get(2));
        String store = arguments.size() > 3 ? arguments.get(3) : "memory";
        printResult(RetainedHeap.pendingInteractions(sessions, perSession, store));
      }
      default -> throw new IllegalArgumentException("unknown mode " + mode + ", see the class comment");
    }
    System.exit(0);
  }

  private static void run(Plan plan) throws Exception {
    Instant started = Instant.now();
    long start = System.nanoTime();
    Machine machine = Machine.describe();
    String jar = orchestratorJar();
    progress(
        "machine: %s, %d CPUs, load %s, Java %s, heap max %d MiB; measuring %s",
        machine.cpuModel(),
        machine.availableProcessors(),
        machine.loadAverage(),
        machine.javaVersion(),
        machine.maxHeapBytes() >> 20,
        jar);

    List<LoadResult> results;
    List<LoadResult> diagnostic;
    RetainedHeap.IdleSessions idle;
    RetainedHeap.PendingInteractions pending;
    try (ClassPathCopy classPath = ClassPathCopy.take()) {
      progress("load pass, in a fresh JVM");
      results = forked(LoadResults.class, classPath, List.of(), "load-pass", plan.name()).results();
      progress("diagnostic pass, in a fresh JVM with %s", COMMON_POOL_FLAG);
      diagnostic =
          forked(LoadResults.class, classPath, List.of(COMMON_POOL_FLAG), "diagnostic-pass", plan.name()).results();
      progress("memory: %,d idle sessions, in a fresh JVM", plan.idleSessions());
      idle = forked(RetainedHeap.IdleSessions.class, classPath, List.of(), "memory-idle", plan.idleSessions());
      progress("memory: %,d x %,d pending interactions, fresh JVM", plan.pendingSessions(), plan.pendingPerSession());
      pending =
          forked(
              RetainedHeap.PendingInteractions.class,
              classPath,
              List.of(),
              "memory-pending",
              plan.pendingSessions(),
              plan.pendingPerSession());
    }

    Report report =
        new Report(
            started.toString(),
            (System.nanoTime() - start) / 1e9,
            machine,
            jar,
            plan,
            DEFAULT_CONFIGURATION,
            results,
            ratios(results, plan),
            diagnostic,
            idle,
            pending);
    System.out.println(Markdown.render(report));
    System.out.println();
    System.out.println("JSON " + JSON.writeValueAsString(report));
    Path file = Path.of("target", "embedded-core-" + started.toString().replace(':', '-') + ".json");
    if (Files.isDirectory(file.getParent())) {
      Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
      progress("report written to %s", file.toAbsolutePath());
    }
  }

  /** Every load scenario: orchestrator (default and without closed-retention) and naive, at every session count. */
  private static LoadResults loadPass(Plan plan) throws Exception {
    List<LoadResult> results = new ArrayList<>();
    for (int sessions : plan.sessionCounts()) {
      results.add(orchestrator("default", DEFAULT_CONFIGURATION, sessions, plan.inFlight(), plan));
      results.add(orchestrator("closed-retention=0s", NO_RETENTION_CONFIGURATION, sessions, plan.inFlight(), plan));
      results.add(naive(sessions, plan.inFlight(), plan));
    }
    results.add(orchestrator("default", DEFAULT_CONFIGURATION, 1, 1, plan));
    results.add(naive(1, 1, plan));
    return new LoadResults(results);
  }

  /** The orchestrator scenarios again, default configuration, in a JVM started with {@link #COMMON_POOL_FLAG}. */
  private static LoadResults diagnosticPass(Plan plan) throws Exception {
    String configuration = "default, " + COMMON_POOL_FLAG;
    List<LoadResult> results = new ArrayList<>();
    for (int sessions : plan.sessionCounts()) {
      results.add(orchestrator(configuration, DEFAULT_CONFIGURATION, sessions, plan.inFlight(), plan));
    }
    results.add(orchestrator(configuration, DEFAULT_CONFIGURATION, 1, 1, plan));
    return new LoadResults(results);
  }

  private static LoadResult orchestrator(
      String configuration, String overrides, int sessions, int inFlight, Plan plan) throws Exception {
    progress("orchestrator (%s): %,d sessions, %,d in flight", configuration, sessions, inFlight);
    Heap.settledUsedBytes();
    String load = Machine.currentLoadAverage();
    long setupStart = System.nanoTime();
    try (Orchestrator orchestrator = Orchestrator.start(ConfigFactory.parseString(overrides))) {
      SessionDirectory directory = orchestrator.sessions();
      List<ActorRef<ServerMessage>> clients =
          ClientActors.spawn(
              orchestrator,
              "client-",
              sessions,
              name -> AnsweringClient.create(directory, "session-" + name.substring("client-".length()), name, ANSWER));
      ClientActors.attach(orchestrator, "session-", clients, ATTACH_TIMEOUT);
      String[] ids = sessionIds(sessions);
      double setup = (System.nanoTime() - setupStart) / 1e9;
      InteractionRequest request = InteractionRequest.of("approve", PAYLOAD);
      ClosedLoop.Window window =
          ClosedLoop.run(
              session -> orchestrator.request(ids[session], request),
              sessions,
              inFlight,
              Duration.ofSeconds(plan.warmupSeconds()),
              Duration.ofSeconds(plan.measuredSeconds()));
      LoadResult result = result("orchestrator", configuration, sessions, inFlight, plan, setup, load, window, "");
      progress("  %s", summary(result));
      return result;
    }
  }

  private static LoadResult naive(int sessions, int inFlight, Plan plan) throws Exception {
    progress("naive: %,d sessions, %,d in flight", sessions, inFlight);
    Heap.settledUsedBytes();
    String load = Machine.currentLoadAverage();
    long setupStart = System.nanoTime();
    ExecutorService clientThreads = Executors.newFixedThreadPool(NAIVE_CLIENT_THREADS);
    try {
      NaiveOrchestrator naive = new NaiveOrchestrator(clientThreads);
      String[] ids = sessionIds(sessions);
      for (int i = 0; i < sessions; i++) {
        naive.connect(ids[i], "client-" + i, interaction -> naive.answer(interaction.id(), ANSWER));
      }
      double setup = (System.nanoTime() - setupStart) / 1e9;
      ClosedLoop.Window window =
          ClosedLoop.run(
              session -> naive.request(ids[session], "approve", PAYLOAD, NAIVE_TIMEOUT),
              sessions,
              inFlight,
              Duration.ofSeconds(plan.warmupSeconds()),
              Duration.ofSeconds(plan.measuredSeconds()));
      String note =
          String.format(Locale.ROOT, "%,d interaction ids left in the never-pruned index", naive.indexedInteractions());
      LoadResult result =
          result("naive", "ConcurrentHashMap + CompletableFuture", sessions, inFlight, plan, setup, load, window, note);
      progress("  %s; %s", summary(result), note);
      return result;
    } finally {
      clientThreads.shutdownNow();
      clientThreads.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private static String[] sessionIds(int sessions) {
    String[] ids = new String[sessions];
    for (int i = 0; i < sessions; i++) {
      ids[i] = "session-" + i;
    }
    return ids;
  }

  private static LoadResult result(
      String design,
      String configuration,
      int sessions,
      int inFlight,
      Plan plan,
      double setupSeconds,
      String loadBefore,
      ClosedLoop.Window window,
      String note) {
    Histogram latency = window.latencyNanos();
    CpuSample.Delta usage = window.usage();
    return new LoadResult(
        design,
        configuration,
        sessions,
        inFlight,
        plan.warmupSeconds(),
        usage.seconds(),
        window.cycles(),
        window.cycles() / usage.seconds(),
        latency.getValueAtPercentile(50) / 1e3,
        latency.getValueAtPercentile(90) / 1e3,
        latency.getValueAtPercentile(99) / 1e3,
        latency.getValueAtPercentile(99.9) / 1e3,
        latency.getMaxValue() / 1e3,
        latency.getMean() / 1e3,
        window.cycles() / usage.seconds() * latency.getMean() / 1e9,
        window.failures(),
        window.firstFailure() == null ? null : window.firstFailure().toString(),
        window.cycles() == 0 ? 0 : usage.processCores() * usage.seconds() * 1e6 / window.cycles(),
        usage.processCores(),
        usage.machineBusyCores(),
        usage.otherCores(),
        usage.gcMillis(),
        usage.gcCount(),
        setupSeconds,
        loadBefore,
        window.handoffs(),
        window.drained(),
        note);
  }

  private static List<Ratio> ratios(List<LoadResult> results, Plan plan) {
    List<Ratio> ratios = new ArrayList<>();
    for (int sessions : plan.sessionCounts()) {
      double ours = find(results, "orchestrator", "default", sessions, plan.inFlight()).cyclesPerSecond();
      double naive = find(results, "naive", null, sessions, plan.inFlight()).cyclesPerSecond();
      ratios.add(new Ratio(sessions, ours, naive, naive / ours));
    }
    return ratios;
  }

  private static LoadResult find(
      List<LoadResult> results, String design, String configuration, int sessions, int inFlight) {
    return results.stream()
        .filter(r -> r.design().equals(design) && r.sessions() == sessions && r.inFlight() == inFlight)
        .filter(r -> configuration == null || r.configuration().equals(configuration))
        .findFirst()
        .orElseThrow();
  }

  private static String summary(LoadResult r) {
    return String.format(
        Locale.ROOT,
        "%,.0f cycles/s, p50 %,.0f µs, p99 %,.0f µs, %,.0f in flight on average, %.1f µs CPU/cycle, GC %d ms,"
            + " other processes %.2f cores, %d handoffs, %d failures%s",
        r.cyclesPerSecond(),
        r.p50Micros(),
        r.p99Micros(),
        r.meanInFlight(),
        r.cpuMicrosPerCycle(),
        r.gcMillis(),
        r.otherProcessesCores(),
        r.requesterHandoffs(),
        r.failures(),
        r.firstFailure() == null ? "" : " (first: " + r.firstFailure() + ")");
  }

  /** Where the measured orchestrator classes come from, and when that jar was built. */
  private static String orchestratorJar() {
    try {
      Path jar = Path.of(Orchestrator.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return jar + " (modified " + Files.getLastModifiedTime(jar) + ")";
    } catch (Exception e) {
      return "unknown";
    }
  }

  /**
   * Runs a phase in a fresh JVM with this JVM's flags (plus {@code extraFlags}) on the copied class path, and reads
   * back its result; everything else it prints goes to stderr.
   */
  private static <T> T forked(Class<T> type, ClassPathCopy classPath, List<String> extraFlags, Object... arguments)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.addAll(extraFlags);
    command.add("-cp");
    command.add(classPath.classPath());
    command.add(EmbeddedCoreBenchmark.class.getName());
    Arrays.stream(arguments).map(String::valueOf).forEach(command::add);
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    T result = null;
    try (BufferedReader output = process.inputReader()) {
      for (String line = output.readLine(); line != null; line = output.readLine()) {
        if (line.startsWith(RESULT_PREFIX)) {
          result = JSON.readValue(line.substring(RESULT_PREFIX.length()), type);
        } else {
          System.err.println("  [" + arguments[0] + "] " + line);
        }
      }
    }
    int exit = process.waitFor();
    if (exit != 0 || result == null) {
      throw new IllegalStateException(arguments[0] + " failed with exit code " + exit);
    }
    return result;
  }

  private static void printResult(Object result) throws IOException {
    System.out.println(RESULT_PREFIX + JSON.writeValueAsString(result));
    System.out.flush();
  }

  private static void progress(String format, Object... args) {
    String message = String.format(Locale.ROOT, format, args);
    System.err.printf(Locale.ROOT, "%tT %s%n", System.currentTimeMillis(), message);
  }
}
