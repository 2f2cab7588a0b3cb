package dev.interactions.benchmarks;

import java.util.List;
import java.util.Locale;

/** The human-readable form of an {@link EmbeddedCoreBenchmark.Report}: the markdown tables of docs/BENCHMARKS.md. */
final class Markdown {

  private Markdown() {}

  static String render(EmbeddedCoreBenchmark.Report report) {
    StringBuilder out = new StringBuilder();
    header(out, report);
    throughput(out, report);
    idleSessions(out, report.idleSessions());
    pendingInteractions(out, report.pendingInteractions());
    return out.toString();
  }

  private static void header(StringBuilder out, EmbeddedCoreBenchmark.Report report) {
    Machine m = report.machine();
    EmbeddedCoreBenchmark.Plan plan = report.plan();
    line(out, "## Embedded core benchmark (%s run, started %s, %.0f s)",
        plan.name(), report.startedAt(), report.elapsedSeconds());
    line(out, "");
    line(out, "- Machine: %s, %d CPUs, %.1f GiB RAM; load average before the run: %s",
        m.cpuModel(), m.availableProcessors(), m.memTotalKiB() / 1024.0 / 1024.0, m.loadAverage());
    line(out, "- JVM: %s %s, flags %s, collectors %s, max heap %d MiB",
        m.javaVm(), m.javaVersion(), m.jvmArguments(), m.collectors(), m.maxHeapBytes() >> 20);
    line(out, "- Orchestrator measured: %s", report.orchestratorJar());
    line(out, "- Load: closed loop, warm-up %d s then %d s measured per scenario; orchestrator overrides `%s`",
        plan.warmupSeconds(), plan.measuredSeconds(), report.orchestratorOverrides().replace('\n', ';'));
    line(out, "");
  }

  private static void throughput(StringBuilder out, EmbeddedCoreBenchmark.Report report) {
    line(out, "### Request → answer cycles");
    line(out, "");
    line(out, "| design | configuration | sessions | in flight | mean in flight | cycles/s | p50 µs | p90 µs"
        + " | p99 µs | p99.9 µs | max µs | CPU µs/cycle | GC ms | other processes (cores) | load avg before | failures |");
    line(out, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|");
    for (EmbeddedCoreBenchmark.LoadResult r : report.throughput()) {
      line(out, "| %s | %s | %,d | %,d | %,.0f | %,.0f | %,.0f | %,.0f | %,.0f | %,.0f | %,.0f | %.1f | %,d | %.2f"
              + " | %s | %,d |",
          r.design(), r.configuration(), r.sessions(), r.inFlight(), r.meanInFlight(), r.cyclesPerSecond(),
          r.p50Micros(), r.p90Micros(), r.p99Micros(), r.p999Micros(), r.maxMicros(), r.cpuMicrosPerCycle(),
          r.gcMillis(), r.otherProcessesCores(), r.loadAverageBefore(), r.failures());
    }
    line(out, "");
    line(out, "Diagnostic pass, not the headline: the orchestrator again, in a JVM started with `%s`:",
        EmbeddedCoreBenchmark.COMMON_POOL_FLAG);
    line(out, "");
    line(out, "| sessions | in flight | cycles/s | p50 µs | p99 µs | CPU µs/cycle | other processes (cores)"
        + " | failures |");
    line(out, "|--:|--:|--:|--:|--:|--:|--:|--:|");
    for (EmbeddedCoreBenchmark.LoadResult r : report.diagnostic()) {
      line(out, "| %,d | %,d | %,.0f | %,.0f | %,.0f | %.1f | %.2f | %,d |",
          r.sessions(), r.inFlight(), r.cyclesPerSecond(), r.p50Micros(), r.p99Micros(), r.cpuMicrosPerCycle(),
          r.otherProcessesCores(), r.failures());
    }
    line(out, "");
    line(out, "### Naive baseline ÷ orchestrator (default configuration), same load");
    line(out, "");
    line(out, "| sessions | orchestrator cycles/s | naive cycles/s | naive ÷ orchestrator |");
    line(out, "|--:|--:|--:|--:|");
    for (EmbeddedCoreBenchmark.Ratio r : report.ratios()) {
      line(out, "| %,d | %,.0f | %,.0f | %.1f× |",
          r.sessions(), r.orchestratorCyclesPerSecond(), r.naiveCyclesPerSecond(), r.naivePerOrchestrator());
    }
    line(out, "");
  }

  private static void idleSessions(StringBuilder out, RetainedHeap.IdleSessions idle) {
    line(out, "### Retained heap per idle session (%,d sessions, fresh JVM, default configuration)", idle.sessions());
    line(out, "");
    line(out, "| item | bytes each |");
    line(out, "|---|--:|");
    line(out, "| minimal client actor alone | %,.0f |", idle.bytesPerClientActor());
    line(out, "| session alone | %,.0f |", idle.bytesPerSession());
    line(out, "| session + its connection | %,.0f |", idle.bytesPerSessionWithConnection());
    line(out, "");
    line(out, "Heap after full GC: %,d → %,d (client actors) → %,d bytes (sessions attached); live sessions %,d.",
        idle.baselineBytes(), idle.withClientActorsBytes(), idle.withSessionsBytes(), idle.liveSessions());
    classes(out, "Growth by class, per session alone", idle.sessionClasses());
  }

  private static void pendingInteractions(StringBuilder out, RetainedHeap.PendingInteractions pending) {
    line(out, "### Retained heap per pending interaction (%,d sessions × %,d, fresh JVM, default configuration)",
        pending.sessions(), pending.perSession());
    line(out, "");
    line(out, "| item | bytes each |");
    line(out, "|---|--:|");
    line(out, "| pending interaction (requester's stage held, one-hour timeout, own payload of ≤ %d chars) | %,.0f |",
        pending.payloadChars(), pending.bytesPerPendingInteraction());
    line(out, "| closed outcome remembered after an answer (closed-retention) | %,.0f |",
        pending.bytesPerRetainedOutcome());
    line(out, "");
    line(out, "Heap after full GC: %,d (sessions and clients) → %,d (%,d pending) → %,d bytes (all answered,"
            + " stages dropped).",
        pending.withSessionsBytes(), pending.withPendingBytes(), pending.liveInteractions(),
        pending.afterAnswersBytes());
    classes(out, "Growth by class, per pending interaction", pending.pendingClasses());
    classes(out, "Growth by class, per remembered outcome", pending.retainedClasses());
  }

  private static void classes(StringBuilder out, String title, List<Heap.ClassGrowth> growth) {
    line(out, "");
    line(out, "%s (live-heap histogram difference):", title);
    line(out, "");
    line(out, "| class | instances each | bytes each |");
    line(out, "|---|--:|--:|");
    for (Heap.ClassGrowth g : growth) {
      line(out, "| `%s` | %.2f | %.1f |", g.className(), g.instancesPerItem(), g.bytesPerItem());
    }
    line(out, "");
  }

  /** Appends one formatted line (ROOT locale) to {@code out}. */
  static void line(StringBuilder out, String format, Object... args) {
    out.append(String.format(Locale.ROOT, format, args)).append('\n');
  }
}
