package dev.interactions.loadtool;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Before the load: waits for the servers' first metrics snapshot. After the load: polls the servers' gauges until every
 * node is back at its baseline or the settle period is over. A server that frees everything shortly after its clients
 * leave passes at the first or second poll; one that leaks never does.
 */
final class Settling {

  /**
   * Where the gauges ended up.
   *
   * @param last the last gauges read, empty when none could be read after the load
   * @param aboveBaseline what was still above the baseline at the last read (empty when back to it)
   * @param seconds how long it took to get back, or the whole settle period when it did not
   * @param unreadable why the last read failed, when it did
   */
  record Result(Optional<ClusterGauges> last, List<String> aboveBaseline, double seconds, Optional<String> unreadable) {

    boolean returnedToBaseline() {
      return last.isPresent() && aboveBaseline.isEmpty();
    }
  }

  private Settling() {}

  /**
   * The first complete reading of {@code gauges}, read every {@code poll} for up to {@code wait}: a server that has just
   * started publishes its gauges only at its first metrics tick, and is not down meanwhile.
   *
   * @throws GaugesUnavailableException the last reason, if no complete reading came within {@code wait}
   */
  static ClusterGauges awaitFirstReading(ClusterGaugeSource gauges, Duration wait, Duration poll, PrintStream out)
      throws GaugesUnavailableException, InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    boolean told = false;
    while (true) {
      try {
        return gauges.read();
      } catch (GaugesUnavailableException e) {
        if (System.nanoTime() >= deadline) {
          throw e;
        }
        if (!told) {
          out.println("waiting up to " + wait.toSeconds() + " s for the server's gauges: " + e.getMessage());
          told = true;
        }
      }
      Thread.sleep(Math.min(poll.toMillis(), Math.max(1, Duration.ofNanos(deadline - System.nanoTime()).toMillis())));
    }
  }

  /** Reads {@code gauges} every {@code poll} until they are at {@code baseline} or {@code settle} has passed. */
  static Result awaitBaseline(ClusterGaugeSource gauges, ClusterGauges baseline, Duration settle, Duration poll)
      throws InterruptedException {
    long started = System.nanoTime();
    long deadline = started + settle.toNanos();
    Optional<ClusterGauges> last = Optional.empty();
    List<String> above = List.of();
    Optional<String> unreadable = Optional.empty();
    while (true) {
      try {
        ClusterGauges now = gauges.read();
        last = Optional.of(now);
        above = now.aboveBaseline(baseline);
        unreadable = Optional.empty();
      } catch (GaugesUnavailableException e) {
        unreadable = Optional.of(e.getMessage());
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      if ((last.isPresent() && above.isEmpty() && unreadable.isEmpty()) || System.nanoTime() >= deadline) {
        return new Result(last, above, seconds, unreadable);
      }
      Thread.sleep(Math.min(poll.toMillis(), Math.max(1, Duration.ofNanos(deadline - System.nanoTime()).toMillis())));
    }
  }
}
