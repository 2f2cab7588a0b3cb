package dev.interactions.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.management.JMException;
import javax.management.ObjectName;

/** Heap after full collections, and this JVM's live-object histogram (what {@code jcmd GC.class_histogram} prints). */
final class Heap {

  /** Instances and bytes of one class, live. */
  record ClassUsage(String className, long instances, long bytes) {}

  /** How one class grew between two histograms, in total and per item added. */
  record ClassGrowth(String className, long instances, long bytes, double instancesPerItem, double bytesPerItem) {}

  private static final long STABLE_WITHIN_BYTES = 64 * 1024;

  private Heap() {}

  /**
   * Used heap after full collections: {@code System.gc()} (a full, compacting collection with G1 and the default
   * {@code -XX:-ExplicitGCInvokesConcurrent}) repeated with short pauses until two readings agree within 64 KiB.
   */
  static long settledUsedBytes() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long previous = -1;
    long used = 0;
    for (int attempt = 0; attempt < 12; attempt++) {
      System.gc();
      Thread.sleep(300);
      System.gc();
      used = memory.getHeapMemoryUsage().getUsed();
      if (previous >= 0 && Math.abs(used - previous) <= STABLE_WITHIN_BYTES) {
        return used;
      }
      previous = used;
    }
    return used;
  }

  /**
   * Writes the live-object histogram (it runs a full collection first) to a temporary file, so that holding it does
   * not weigh on the next heap reading.
   */
  static Path histogram() throws IOException {
    String text;
    try {
      text =
          (String)
              ManagementFactory.getPlatformMBeanServer()
                  .invoke(
                      new ObjectName("com.sun.management:type=DiagnosticCommand"),
                      "gcClassHistogram",
                      new Object[] {new String[0]},
                      new String[] {String[].class.getName()});
    } catch (JMException e) {
      throw new IllegalStateException("no class histogram from this JVM", e);
    }
    Path file = Files.createTempFile("class-histogram-", ".txt");
    file.toFile().deleteOnExit();
    Files.writeString(file, text);
    return file;
  }

  /** The {@code limit} classes that grew most in bytes from {@code before} to {@code after}, also per item added. */
  static List<ClassGrowth> growth(Path before, Path after, long items, int limit) throws IOException {
    return growth(parse(before), parse(after), items, limit);
  }

  private static Map<String, ClassUsage> parse(Path histogram) throws IOException {
    Map<String, ClassUsage> byClass = new HashMap<>();
    for (String line : Files.readAllLines(histogram)) {
      String[] fields = line.trim().split("\\s+");
      if (fields.length >= 4 && fields[0].endsWith(":")) {
        byClass.merge(
            fields[3],
            new ClassUsage(fields[3], Long.parseLong(fields[1]), Long.parseLong(fields[2])),
            (a, b) -> new ClassUsage(a.className(), a.instances() + b.instances(), a.bytes() + b.bytes()));
      }
    }
    return byClass;
  }

  private static List<ClassGrowth> growth(
      Map<String, ClassUsage> before, Map<String, ClassUsage> after, long items, int limit) {
    List<ClassGrowth> grown = new ArrayList<>();
    after.forEach(
        (name, now) -> {
          ClassUsage then = before.getOrDefault(name, new ClassUsage(name, 0, 0));
          long instances = now.instances() - then.instances();
          long bytes = now.bytes() - then.bytes();
          grown.add(new ClassGrowth(name, instances, bytes, (double) instances / items, (double) bytes / items));
        });
    grown.sort(Comparator.comparingLong(ClassGrowth::bytes).reversed());
    return List.copyOf(grown.subList(0, Math.min(limit, grown.size())));
  }
}
