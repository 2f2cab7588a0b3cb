package dev.interactions.benchmarks;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the figures were measured on. */
record Machine(
    String cpuModel,
    int availableProcessors,
    long memTotalKiB,
    String javaVersion,
    String javaVm,
    List<String> jvmArguments,
    List<String> collectors,
    long maxHeapBytes,
    String loadAverage) {

  static Machine describe() {
    return new Machine(
        firstValue("/proc/cpuinfo", "model name"),
        Runtime.getRuntime().availableProcessors(),
        kibibytes(firstValue("/proc/meminfo", "MemTotal")),
        System.getProperty("java.runtime.version"),
        System.getProperty("java.vm.name"),
        ManagementFactory.getRuntimeMXBean().getInputArguments(),
        ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).toList(),
        Runtime.getRuntime().maxMemory(),
        currentLoadAverage());
  }

  /** The first three fields of /proc/loadavg: run-queue length averaged over 1, 5 and 15 minutes. */
  static String currentLoadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static long kibibytes(String value) {
    try {
      return Long.parseLong(value.replace("kB", "").trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String firstValue(String file, String key) {
    try {
      return Files.readAllLines(Path.of(file)).stream()
          .filter(line -> line.startsWith(key))
          .map(line -> line.substring(line.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
