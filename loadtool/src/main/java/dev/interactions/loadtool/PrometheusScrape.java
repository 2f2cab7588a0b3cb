package dev.interactions.loadtool;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * One scrape of a Prometheus text exposition (format 0.0.4), parsed into samples.
 *
 * <p>Only what a gauge reader needs: sample lines with their labels and value. {@code # HELP}, {@code # TYPE} and other
 * comments are skipped; timestamps after the value are ignored.
 */
public final class PrometheusScrape {

  /** One sample line: a metric name, its labels, and its value. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples;

  private PrometheusScrape(List<Sample> samples) {
    this.samples = List.copyOf(samples);
  }

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming the line, if a line is not a comment, blank, or a valid sample
   */
  public static PrometheusScrape parse(String text) {
    List<Sample> samples = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        samples.add(parseSample(line));
      } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
        throw new IllegalArgumentException("line " + (i + 1) + " is not a Prometheus sample: " + line, e);
      }
    }
    return new PrometheusScrape(samples);
  }

  /** Every sample, in the order of the text. */
  public List<Sample> samples() {
    return samples;
  }

  /**
   * The sum of every series named {@code name} (whatever their labels), or empty when there is none. Summing is what a
   * gauge split by a label (connections by transport) needs, and is the value itself for an unlabelled gauge.
   */
  public OptionalDouble sum(String name) {
    boolean found = false;
    double sum = 0;
    for (Sample sample : samples) {
      if (sample.name().equals(name)) {
        found = true;
        sum += sample.value();
      }
    }
    return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
  }

  private static Sample parseSample(String line) {
    int position = 0;
    while (position < line.length() && isNameChar(line.charAt(position))) {
      position++;
    }
    if (position == 0) {
      throw new IllegalArgumentException("no metric name");
    }
    String name = line.substring(0, position);
    Map<String, String> labels = new TreeMap<>();
    if (position < line.length() && line.charAt(position) == '{') {
      position = parseLabels(line, position + 1, labels);
    }
    String[] rest = line.substring(position).strip().split("\\s+");
    if (rest.length < 1 || rest.length > 2 || rest[0].isEmpty()) {
      throw new IllegalArgumentException("expected a value and an optional timestamp");
    }
    return new Sample(name, labels, parseValue(rest[0]));
  }

  /** Reads {@code name="value",…}} from {@code position}; returns the position after the closing brace. */
  private static int parseLabels(String line, int position, Map<String, String> labels) {
    while (true) {
      position = skipSpaces(line, position);
      if (line.charAt(position) == '}') {
        return position + 1;
      }
      int nameStart = position;
      while (isNameChar(line.charAt(position))) {
        position++;
      }
      String label = line.substring(nameStart, position);
      position = skipSpaces(line, position);
      if (label.isEmpty() || line.charAt(position) != '=' || line.charAt(skipSpaces(line, position + 1)) != '"') {
        throw new IllegalArgumentException("malformed label");
      }
      position = skipSpaces(line, position + 1) + 1;
      StringBuilder value = new StringBuilder();
      for (char c = line.charAt(position); c != '"'; c = line.charAt(++position)) {
        if (c == '\\') {
          char escaped = line.charAt(++position);
          value.append(escaped == 'n' ? '\n' : escaped);
        } else {
          value.append(c);
        }
      }
      labels.put(label, value.toString());
      position = skipSpaces(line, position + 1);
      if (line.charAt(position) == ',') {
        position++;
      } else if (line.charAt(position) != '}') {
        throw new IllegalArgumentException("expected , or } after a label");
      }
    }
  }

  private static double parseValue(String text) {
    return switch (text) {
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(text);
    };
  }

  private static int skipSpaces(String line, int position) {
    while (position < line.length() && line.charAt(position) == ' ') {
      position++;
    }
    return position;
  }

  private static boolean isNameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ':';
  }
}
