package dev.interactions.health;

import dev.interactions.core.Census;
import dev.interactions.core.OrchestratorSettings;
import dev.interactions.metrics.HeapAfterGc;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Compares, every period, the node's live counts with configured thresholds and with each other, and reports which
 * rules are broken. A broken rule is logged as a warning once when it is crossed, and once more (at info) when it is
 * back to normal; {@code /health/ready} reports the node as {@code degraded} meanwhile (still ready: degraded is a
 * warning, not a reason to take the node out of service).
 *
 * <p>It keeps one entry per rule, never anything per session: it reads the {@link Census} counts and the heap.
 */
public final class Watchdog extends AbstractBehavior<Watchdog.Command> {

  /** Messages the watchdog understands. */
  public sealed interface Command {}

  /** Asks for the rules broken at the last comparison. */
  public record GetFindings(ActorRef<Findings> replyTo) implements Command {}

  /** The rules broken at the last comparison, in the order they were crossed; empty when all is well. */
  public record Findings(List<Finding> findings) {}

  /**
   * One broken rule.
   *
   * @param rule the rule's fixed name (e.g. {@code pending-interactions})
   * @param detail what was measured against what
   */
  public record Finding(String rule, String detail) {}

  /**
   * What the watchdog compares.
   *
   * @param sessions live session actors
   * @param connections live connection actors, of every transport
   * @param pending live interaction actors
   * @param heapAfterGcBytes heap in use after the last collection
   * @param clusterMembers members of this node's cluster (connections and their sessions may be on different nodes)
   */
  public record Reading(long sessions, long connections, long pending, long heapAfterGcBytes, int clusterMembers) {

    /** The census of the node, its heap, and the size of its cluster, now. */
    public static Reading of(Census census, int clusterMembers) {
      return new Reading(
          census.sessions(), census.connections(), census.interactions(), HeapAfterGc.bytes(), clusterMembers);
    }
  }

  private enum Compare implements Command {
    INSTANCE
  }

  /**
   * A rule: {@code breach} describes the reading if it breaks the rule. {@code confirmations} is how many comparisons
   * in a row must see it broken before it counts: the rules between counts see actors that start or stop a moment
   * apart (a connection exists just before its session does), and a single sample of that is not a finding.
   */
  private record Rule(String name, int confirmations, Function<Reading, Optional<String>> breach) {}

  private static final String TIMER = "compare";

  /**
   * @param settings period and thresholds
   * @param core the per-session bounds the counts are compared against
   * @param readings where the counts come from (the census of the node, in production)
   */
  public static Behavior<Command> create(
      WatchdogSettings settings, OrchestratorSettings core, Supplier<Reading> readings) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(TIMER, Compare.INSTANCE, settings.period());
                  return new Watchdog(context, rules(settings, core), readings);
                }));
  }

  private static List<Rule> rules(WatchdogSettings settings, OrchestratorSettings core) {
    List<Rule> rules = new ArrayList<>();
    threshold(
        rules, "pending-interactions", settings.maxPendingInteractions(), Reading::pending, "pending interactions");
    threshold(rules, "connections", settings.maxConnections(), Reading::connections, "connections");
    threshold(rules, "sessions", settings.maxSessions(), Reading::sessions, "sessions");
    threshold(
        rules, "heap-after-gc", settings.maxHeapAfterGcBytes(), Reading::heapAfterGcBytes, "bytes of heap after GC");
    rules.add(
        new Rule(
            "pending-per-session",
            2,
            reading ->
                above(
                    reading.pending(),
                    reading.sessions() * core.maxPendingPerSession(),
                    "pending interactions for " + reading.sessions() + " sessions of at most "
                        + core.maxPendingPerSession())));
    rules.add(
        new Rule(
            "connections-per-session",
            2,
            // In a cluster of several nodes a client's session usually lives on another node than its connection.
            reading ->
                reading.clusterMembers() > 1
                    ? Optional.empty()
                    : above(
                        reading.connections(),
                        reading.sessions() * core.maxConnectionsPerSession(),
                        "connections for " + reading.sessions() + " sessions of at most "
                            + core.maxConnectionsPerSession())));
    return List.copyOf(rules);
  }

  private static void threshold(
      List<Rule> rules, String name, long limit, Function<Reading, Long> measure, String what) {
    if (limit > 0) {
      rules.add(new Rule(name, 1, reading -> above(measure.apply(reading), limit, what)));
    }
  }

  private static Optional<String> above(long measured, long limit, String what) {
    return measured > limit ? Optional.of(measured + " " + what + ", above " + limit) : Optional.empty();
  }

  private final List<Rule> rules;
  private final Supplier<Reading> readings;
  /** Consecutive comparisons that saw each rule broken, by rule name; absent when the last one did not. */
  private final Map<String, Integer> brokenFor = new HashMap<>();
  /** The findings of the rules that count as crossed, in rule order. */
  private final Map<String, Finding> crossed = new LinkedHashMap<>();

  private Watchdog(ActorContext<Command> context, List<Rule> rules, Supplier<Reading> readings) {
    super(context);
    // Its lines under its own name: Pekko names a timer-driven actor's logger after what is on the stack (ActorCell).
    context.setLoggerName(Watchdog.class);
    this.rules = rules;
    this.readings = readings;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Compare.INSTANCE, this::onCompare)
        .onMessage(GetFindings.class, this::onGetFindings)
        .build();
  }

  private Behavior<Command> onCompare() {
    Reading reading = readings.get();
    for (Rule rule : rules) {
      Optional<String> breach = rule.breach().apply(reading);
      if (breach.isPresent()) {
        int times = brokenFor.merge(rule.name(), 1, Integer::sum);
        if (times >= rule.confirmations()) {
          Finding finding = new Finding(rule.name(), breach.get());
          if (crossed.put(rule.name(), finding) == null) {
            getContext().getLog().warn("watchdog: {} crossed: {}", rule.name(), finding.detail());
          }
        }
      } else {
        brokenFor.remove(rule.name());
        if (crossed.remove(rule.name()) != null) {
          getContext().getLog().info("watchdog: {} back to normal", rule.name());
        }
      }
    }
    return this;
  }

  private Behavior<Command> onGetFindings(GetFindings get) {
    get.replyTo().tell(new Findings(List.copyOf(crossed.values())));
    return this;
  }
}
