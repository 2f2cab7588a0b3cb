package dev.interactions.loadtool;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * The result of a run, for a person ({@link #toText()}) and as JSON (the record's components, plus {@code passed}).
 *
 * @param loadSeconds from the first request to the last requester finishing (the rates' denominator)
 * @param roundTrips interactions answered or rejected by a client: a full trip requester → server → client → requester
 * @param interactionsEnded interactions whose outcome the requester learned, whatever the outcome
 * @param latency request-to-outcome latency of the round trips
 * @param outcomes outcomes by kind ({@code answered}, {@code expired}, …)
 * @param unplannedOutcomes fate → outcome pairs that differ from the plan ({@code "answer -> expired"}), by count; a
 *     client dropping while another interaction was on its way to it causes some, so they are reported, not failed
 * @param errors definite errors by kind
 * @param hung interactions whose end was never learned, by reason
 * @param server the server's address; the addresses of all of them, comma-separated, when there are several
 * @param gaugesAtStart the server's gauges before the load; with several servers, their total
 * @param gaugesAtEnd the gauges after the settle period (the total with several servers); empty when they could not be
 *     read
 * @param settleSeconds how long the server took to return to its baseline (the whole period when it did not)
 * @param nodes each server's share of the clients and requesters, and its own gauges (one entry for a single server)
 * @param failures why the run failed; empty when it passed
 */
public record LoadReport(
    String server,
    int clients,
    int sessions,
    int requesters,
    String mix,
    double plannedSeconds,
    double loadSeconds,
    long roundTrips,
    double roundTripsPerSecond,
    long interactionsEnded,
    double interactionsPerSecond,
    LatencySummary latency,
    Map<String, Long> outcomes,
    Map<String, Long> unplannedOutcomes,
    Map<String, Long> errors,
    Map<String, Long> hung,
    ClientCounts clientActivity,
    ServerGauges gaugesAtStart,
    Optional<ServerGauges> gaugesAtEnd,
    double settleSeconds,
    List<NodeReport> nodes,
    List<String> failures) {

  /**
   * One server of the run.
   *
   * @param clients client slots that connect to it
   * @param requesters requesters that send their requests to it
   * @param gaugesAtEnd empty when they could not be read after the settle period
   */
  public record NodeReport(
      String server, int clients, int requesters, ServerGauges gaugesAtStart, Optional<ServerGauges> gaugesAtEnd) {}

  public LoadReport {
    outcomes = Map.copyOf(outcomes);
    unplannedOutcomes = Map.copyOf(unplannedOutcomes);
    errors = Map.copyOf(errors);
    hung = Map.copyOf(hung);
    nodes = List.copyOf(nodes);
    failures = List.copyOf(failures);
  }

  /** True when every interaction ended and the server returned to its baseline. */
  @JsonProperty("passed")
  public boolean passed() {
    return failures.isEmpty();
  }

  /** {@code count} per second over {@code seconds}; 0 for an empty period. */
  public static double perSecond(long count, double seconds) {
    return seconds > 0 ? count / seconds : 0;
  }

  /** The report for a person. */
  public String toText() {
    StringBuilder text = new StringBuilder();
    text.append("\n== Load report: ")
        .append(server)
        .append(" ==\n")
        .append(
            String.format(
                "%d clients on %d sessions, %d requesters, mix %s, load %s (planned %s)%n",
                clients,
                sessions,
                requesters,
                mix,
                Figures.seconds(loadSeconds),
                Figures.seconds(plannedSeconds)))
        .append("round trips/s      ")
        .append(Figures.rate(roundTripsPerSecond))
        .append("  (")
        .append(roundTrips)
        .append(" answered or rejected)\n")
        .append("interactions/s     ")
        .append(Figures.rate(interactionsPerSecond))
        .append("  (")
        .append(interactionsEnded)
        .append(" ended with an outcome)\n")
        .append("latency            p50 ")
        .append(Figures.millis(latency.p50Millis()))
        .append("  p95 ")
        .append(Figures.millis(latency.p95Millis()))
        .append("  p99 ")
        .append(Figures.millis(latency.p99Millis()))
        .append("  max ")
        .append(Figures.millis(latency.maxMillis()))
        .append('\n')
        .append("outcomes           ")
        .append(counts(outcomes))
        .append('\n')
        .append("not as planned     ")
        .append(counts(unplannedOutcomes))
        .append('\n')
        .append("errors             ")
        .append(counts(errors))
        .append('\n')
        .append("hung               ")
        .append(counts(hung))
        .append('\n')
        .append(
            String.format(
                "clients            %d connects, %d dropped abruptly, %d disconnected cleanly, %d answers too late%n",
                clientActivity.connects(),
                clientActivity.drops(),
                clientActivity.disconnects(),
                clientActivity.lostRaces()))
        .append("server gauges      ")
        .append(nodes.size() == 1 ? "" : "total of " + nodes.size() + " servers, ")
        .append("start -> end (after ")
        .append(Figures.seconds(settleSeconds))
        .append(" of settling)\n");
    gauges(text, "  ", gaugesAtStart, gaugesAtEnd);
    if (nodes.size() > 1) {
      for (NodeReport node : nodes) {
        text.append(
            String.format(
                "  %s (%d clients, %d requesters)%n", node.server(), node.clients(), node.requesters()));
        gauges(text, "    ", node.gaugesAtStart(), node.gaugesAtEnd());
      }
    }
    text.append(passed() ? "PASSED\n" : "FAILED\n");
    failures.forEach(failure -> text.append("  - ").append(failure).append('\n'));
    return text.toString();
  }

  private static void gauges(StringBuilder text, String indent, ServerGauges start, Optional<ServerGauges> end) {
    gauge(text, indent, "sessions alive", start, end, gauges -> OptionalLong.of(gauges.sessionsAlive()), Figures::count);
    gauge(
        text, indent, "connections alive", start, end, gauges -> OptionalLong.of(gauges.connectionsAlive()), Figures::count);
    gauge(text, indent, "pending", start, end, gauges -> OptionalLong.of(gauges.pendingInteractions()), Figures::count);
    gauge(text, indent, "heap after GC", start, end, ServerGauges::heapAfterGcBytes, Figures::mebibytes);
    gauge(text, indent, "threads", start, end, ServerGauges::threads, Figures::count);
    gauge(text, indent, "open fds", start, end, ServerGauges::openFileDescriptors, Figures::count);
  }

  private static void gauge(
      StringBuilder text,
      String indent,
      String name,
      ServerGauges start,
      Optional<ServerGauges> end,
      Function<ServerGauges, OptionalLong> value,
      LongFunction<String> format) {
    text.append(
        String.format(
            "%s%-17s %12s -> %s%n",
            indent,
            name,
            shown(value.apply(start), format),
            end.map(gauges -> shown(value.apply(gauges), format)).orElse("unreadable")));
  }

  private static String shown(OptionalLong value, LongFunction<String> format) {
    return value.isPresent() ? format.apply(value.getAsLong()) : "not exported";
  }

  private static String counts(Map<String, Long> counts) {
    if (counts.isEmpty()) {
      return "none";
    }
    StringBuilder text = new StringBuilder();
    counts.entrySet().stream()
        .sorted(
            Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .forEach(entry -> text.append(text.length() == 0 ? "" : ", ").append(entry.getKey()).append(' ').append(entry.getValue()));
    return text.toString();
  }
}
