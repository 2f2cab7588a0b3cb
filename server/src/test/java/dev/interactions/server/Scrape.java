package dev.interactions.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One {@code GET /metrics} response, parsed: every sample line as its name, labels and value. */
final class Scrape {

  /** One sample line. */
  record Sample(String name, Map<String, String> labels, double value) {}

  private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final String text;
  private final List<Sample> samples;

  private Scrape(String text, List<Sample> samples) {
    this.text = text;
    this.samples = samples;
  }

  private static final long DEADLINE_SECONDS = 60;

  /**
   * Scrapes {@code server} until {@code condition} holds, failing after a minute with the last scrape. A scrape only
   * changes at Kamon's next snapshot, so there is no event to wait on: this polls.
   */
  static Scrape await(TestServer server, String what, Predicate<Scrape> condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
    Scrape scrape = parse(server.getText("/metrics"));
    while (!condition.test(scrape)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never scraped " + what + " within " + DEADLINE_SECONDS + " s; last scrape:\n" + scrape);
      }
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
      scrape = parse(server.getText("/metrics"));
    }
    return scrape;
  }

  static Scrape parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher matcher = LINE.matcher(line.trim());
      if (!matcher.matches()) {
        throw new AssertionError("not a Prometheus sample line: " + line);
      }
      Map<String, String> labels = new TreeMap<>();
      if (matcher.group(3) != null) {
        Matcher label = LABEL.matcher(matcher.group(3));
        while (label.find()) {
          labels.put(label.group(1), label.group(2));
        }
      }
      samples.add(new Sample(matcher.group(1), labels, Double.parseDouble(matcher.group(4))));
    }
    return new Scrape(text, List.copyOf(samples));
  }

  List<Sample> samples() {
    return samples;
  }

  /** Whether any data was reported yet (before Kamon's first snapshot, the scrape is only a comment). */
  boolean hasData() {
    return !samples.isEmpty();
  }

  /** The value of the series {@code name} with exactly {@code labels} (name, value, ...), or 0 if absent. */
  double value(String name, String... labels) {
    Map<String, String> wanted = new TreeMap<>();
    for (int i = 0; i + 1 < labels.length; i += 2) {
      wanted.put(labels[i], labels[i + 1]);
    }
    return samples.stream()
        .filter(sample -> sample.name().equals(name) && sample.labels().equals(wanted))
        .mapToDouble(Sample::value)
        .findFirst()
        .orElse(0);
  }

  /** Whether a series called {@code name} is present at all. */
  boolean has(String name) {
    return samples.stream().anyMatch(sample -> sample.name().equals(name));
  }

  @Override
  public String toString() {
    return text;
  }
}
