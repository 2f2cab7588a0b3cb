package dev.interactions.benchmarks;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU and GC counters at one instant: this process's CPU time, the whole machine's busy and total time
 * ({@code /proc/stat}), and this JVM's collections. The difference of two samples says how busy the machine was, and
 * how much of that was someone else (a concurrent build, for instance).
 */
record CpuSample(
    long nanoTime,
    long processCpuNanos,
    long machineBusyTicks,
    long machineTotalTicks,
    long gcMillis,
    long gcCount) {

  /** Linux reports /proc/stat in USER_HZ ticks, 100 per second on every mainstream kernel. */
  private static final double TICKS_PER_SECOND = 100.0;

  /** Usage between two samples. */
  record Delta(
      double seconds,
      double processCores,
      double machineBusyCores,
      double otherCores,
      long gcMillis,
      long gcCount) {}

  static CpuSample now() {
    long gcMillis = 0;
    long gcCount = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcMillis += Math.max(0, gc.getCollectionTime());
      gcCount += Math.max(0, gc.getCollectionCount());
    }
    long[] machine = machineTicks();
    return new CpuSample(System.nanoTime(), currentProcessCpuNanos(), machine[0], machine[1], gcMillis, gcCount);
  }

  Delta since(CpuSample earlier) {
    double seconds = (nanoTime - earlier.nanoTime) / 1e9;
    double process = (processCpuNanos - earlier.processCpuNanos) / 1e9 / seconds;
    double machine = (machineBusyTicks - earlier.machineBusyTicks) / TICKS_PER_SECOND / seconds;
    return new Delta(
        seconds,
        process,
        machine,
        Math.max(0, machine - process),
        gcMillis - earlier.gcMillis,
        gcCount - earlier.gcCount);
  }

  private static long currentProcessCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }

  /** Busy and total ticks of all CPUs, from the first line of /proc/stat; zeros where it cannot be read. */
  private static long[] machineTicks() {
    try {
      String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < Math.min(fields.length, 9); i++) {
        total += Long.parseLong(fields[i]);
      }
      long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);
      return new long[] {total - idle, total};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }
}
