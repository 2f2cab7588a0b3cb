package dev.interactions.loadtool;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Everything the run counts, updated from requester threads and WebSocket callbacks at once (hence adders and concurrent
 * maps), and read by the progress line and the report.
 */
final class Tally {

  private static final int SIGNIFICANT_DIGITS = 3;

  /** Latencies of answered and rejected interactions in microseconds; a recorder so the progress can take intervals. */
  private final Recorder roundTripMicros = new Recorder(SIGNIFICANT_DIGITS);

  private final Histogram allRoundTripMicros = new Histogram(SIGNIFICANT_DIGITS);
  private final ConcurrentMap<String, LongAdder> outcomes = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, LongAdder> unplanned = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, LongAdder> hung = new ConcurrentHashMap<>();
  private final AtomicLong inFlight = new AtomicLong();
  private final LongAdder ended = new LongAdder();

  private final AtomicLong clientsConnected = new AtomicLong();
  private final LongAdder connects = new LongAdder();
  private final LongAdder drops = new LongAdder();
  private final LongAdder disconnects = new LongAdder();
  private final LongAdder lostRaces = new LongAdder();

  void interactionStarted() {
    inFlight.incrementAndGet();
  }

  /** The requester stopped waiting for its interaction, whatever the ending (outcome, error or hang). */
  void interactionFinished() {
    inFlight.decrementAndGet();
  }

  /** The interaction planned as {@code fate} ended as {@code outcome}, {@code nanos} after it was requested. */
  void outcome(Fate fate, String outcome, long nanos) {
    ended.increment();
    count(outcomes, outcome);
    if (!outcome.equals(fate.expectedOutcome())) {
      count(unplanned, fate.wireName() + " -> " + outcome);
    }
    if (outcome.equals("answered") || outcome.equals("rejected")) {
      roundTripMicros.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(nanos)));
    }
  }

  /** A definite error, by kind ({@code "create: 429 pending_limit"}, {@code "ws connect: ConnectException"}). */
  void error(String kind) {
    count(errors, kind);
  }

  /** An interaction whose end the requester never learned, by reason. */
  void hung(String reason) {
    count(hung, reason);
  }

  void clientConnected() {
    connects.increment();
    clientsConnected.incrementAndGet();
  }

  void clientGone() {
    clientsConnected.decrementAndGet();
  }

  void clientDropped() {
    drops.increment();
  }

  void clientDisconnected() {
    disconnects.increment();
  }

  /** A client answered or rejected an interaction that had already closed: expected now and then, not an error. */
  void lostRace() {
    lostRaces.increment();
  }

  long inFlight() {
    return inFlight.get();
  }

  long clientsConnected() {
    return clientsConnected.get();
  }

  long ended() {
    return ended.sum();
  }

  long errorCount() {
    return errors.values().stream().mapToLong(LongAdder::sum).sum();
  }

  long hungCount() {
    return hung.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /**
   * The round trips recorded since the previous call (or the start), folded into the run's total as they are taken, so
   * the total always covers every interval.
   */
  synchronized long takeIntervalRoundTrips() {
    Histogram interval = roundTripMicros.getIntervalHistogram();
    allRoundTripMicros.add(interval);
    return interval.getTotalCount();
  }

  /** Every round trip's latency so far. */
  synchronized Histogram allRoundTrips() {
    takeIntervalRoundTrips();
    return allRoundTripMicros.copy();
  }

  Map<String, Long> outcomes() {
    return snapshot(outcomes);
  }

  Map<String, Long> unplanned() {
    return snapshot(unplanned);
  }

  Map<String, Long> errors() {
    return snapshot(errors);
  }

  Map<String, Long> hungByReason() {
    return snapshot(hung);
  }

  ClientCounts clientCounts() {
    return new ClientCounts(connects.sum(), drops.sum(), disconnects.sum(), lostRaces.sum());
  }

  private static void count(ConcurrentMap<String, LongAdder> counts, String kind) {
    counts.computeIfAbsent(kind, key -> new LongAdder()).increment();
  }

  private static Map<String, Long> snapshot(ConcurrentMap<String, LongAdder> counts) {
    Map<String, Long> copy = new TreeMap<>();
    counts.forEach((kind, count) -> copy.put(kind, count.sum()));
    return copy;
  }
}
