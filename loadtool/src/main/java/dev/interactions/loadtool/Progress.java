package dev.interactions.loadtool;

import java.io.PrintStream;

/** The line printed every few seconds while the load runs: what the tool sees, and what the server says. */
final class Progress implements Runnable {

  private final Tally tally;
  private final ClusterGaugeSource gauges;
  private final PrintStream out;
  private final long startedNanos;
  private long previousNanos;

  Progress(Tally tally, ClusterGaugeSource gauges, PrintStream out, long startedNanos) {
    this.tally = tally;
    this.gauges = gauges;
    this.out = out;
    this.startedNanos = startedNanos;
    this.previousNanos = startedNanos;
  }

  @Override
  public void run() {
    long now = System.nanoTime();
    long roundTrips = tally.takeIntervalRoundTrips();
    double intervalSeconds = Math.max(1e-3, (now - previousNanos) / 1e9);
    previousNanos = now;
    String server;
    try {
      ClusterGauges read = gauges.read();
      server = (read.nodes().size() == 1 ? "server: " : "servers: ") + read.summary();
    } catch (GaugesUnavailableException e) {
      tally.error("metrics scrape failed during the load");
      server = "server: unavailable (" + e.getMessage() + ")";
    }
    out.printf(
        "%7s  rt/s %7s  in flight %5d  clients %6d  ended %8d  errors %6d  hung %4d  | %s%n",
        Figures.seconds((now - startedNanos) / 1e9),
        Figures.rate(roundTrips / intervalSeconds),
        tally.inFlight(),
        tally.clientsConnected(),
        tally.ended(),
        tally.errorCount(),
        tally.hungCount(),
        server);
  }
}
