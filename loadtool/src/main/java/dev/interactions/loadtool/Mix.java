package dev.interactions.loadtool;

import java.util.EnumMap;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * Relative weights of the {@link Fate}s, e.g. {@code answer=70,reject=10,cancel=8,timeout=6,drop=3,disconnect=3}.
 * Fates left out weigh 0.
 */
public record Mix(Map<Fate, Integer> weights) {

  /** {@link #DEFAULT} as written on the command line (a constant, so that it can be an option's default). */
  public static final String DEFAULT_TEXT = "answer=70,reject=10,cancel=8,timeout=6,drop=3,disconnect=3";

  /** Mostly answered, with every other fate present so that each path runs in every run. */
  public static final Mix DEFAULT = parse(DEFAULT_TEXT);

  public Mix {
    weights = Map.copyOf(weights);
    if (weights.values().stream().mapToInt(Integer::intValue).sum() <= 0) {
      throw new IllegalArgumentException("at least one weight must be positive");
    }
  }

  /**
   * Parses {@code fate=weight,…}.
   *
   * @throws IllegalArgumentException naming the part at fault
   */
  public static Mix parse(String text) {
    Map<Fate, Integer> weights = new EnumMap<>(Fate.class);
    for (String part : text.split(",")) {
      String[] pair = part.strip().split("=", 2);
      Fate fate =
          Fate.named(pair[0].strip())
              .orElseThrow(() -> new IllegalArgumentException("unknown fate '" + pair[0].strip() + "'"));
      int weight;
      try {
        weight = pair.length == 2 ? Integer.parseInt(pair[1].strip()) : -1;
      } catch (NumberFormatException e) {
        weight = -1;
      }
      if (weight < 0) {
        throw new IllegalArgumentException("'" + part.strip() + "' needs a whole weight >= 0, e.g. answer=70");
      }
      weights.put(fate, weight);
    }
    return new Mix(weights);
  }

  /** A fate drawn with these weights. */
  public Fate draw(RandomGenerator random) {
    int total = weights.values().stream().mapToInt(Integer::intValue).sum();
    int ticket = random.nextInt(total);
    for (Fate fate : Fate.values()) {
      ticket -= weights.getOrDefault(fate, 0);
      if (ticket < 0) {
        return fate;
      }
    }
    throw new IllegalStateException("unreachable: the weights sum to " + total);
  }

  @Override
  public String toString() {
    return weights.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(entry -> entry.getKey().wireName() + "=" + entry.getValue())
        .collect(Collectors.joining(","));
  }
}
