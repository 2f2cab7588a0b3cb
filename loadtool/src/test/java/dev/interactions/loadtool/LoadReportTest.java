package dev.interactions.loadtool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LoadReportTest {

  /** HdrHistogram with 3 significant digits: values are exact to 0.1 %. */
  private static final double PRECISION = 0.001;

  @Test
  void percentilesOfOneToOneHundredMilliseconds() {
    Histogram micros = new Histogram(3);
    for (long millis = 1; millis <= 100; millis++) {
      micros.recordValue(millis * 1000);
    }

    LatencySummary latency = LatencySummary.of(micros);

    assertEquals(100, latency.count());
    assertEquals(50.0, latency.p50Millis(), 50.0 * PRECISION);
    assertEquals(95.0, latency.p95Millis(), 95.0 * PRECISION);
    assertEquals(99.0, latency.p99Millis(), 99.0 * PRECISION);
    assertEquals(100.0, latency.maxMillis(), 100.0 * PRECISION);
  }

  @Test
  void percentilesOfASkewedDistribution() {
    // 900 fast round trips at 2 ms, 90 at 40 ms, 10 slow ones at 800 ms: p50 and p95 fall in the first two groups,
    // p99 on the boundary of the last (the 990th value is the last 40 ms one), the max is the slowest.
    Histogram micros = new Histogram(3);
    micros.recordValueWithCount(2_000, 900);
    micros.recordValueWithCount(40_000, 90);
    micros.recordValueWithCount(800_000, 10);

    LatencySummary latency = LatencySummary.of(micros);

    assertEquals(2.0, latency.p50Millis(), 2.0 * PRECISION);
    assertEquals(40.0, latency.p95Millis(), 40.0 * PRECISION);
    assertEquals(40.0, latency.p99Millis(), 40.0 * PRECISION);
    assertEquals(800.0, latency.maxMillis(), 800.0 * PRECISION);
  }

  @Test
  void anEmptyHistogramIsAllZero() {
    assertEquals(new LatencySummary(0, 0, 0, 0, 0), LatencySummary.of(new Histogram(3)));
  }

  @Test
  void ratesAreCountsOverTheLoadPeriod() {
    assertEquals(412.5, LoadReport.perSecond(8_250, 20.0), 1e-9);
    assertEquals(0.0, LoadReport.perSecond(10, 0.0));
  }

  @Test
  void theTallyKeepsEveryRoundTripAcrossProgressIntervals() {
    Tally tally = new Tally();
    tally.outcome(Fate.ANSWER, "answered", TimeUnit.MILLISECONDS.toNanos(3));
    tally.outcome(Fate.REJECT, "rejected", TimeUnit.MILLISECONDS.toNanos(5));
    assertEquals(2, tally.takeIntervalRoundTrips());
    tally.outcome(Fate.ANSWER, "answered", TimeUnit.MILLISECONDS.toNanos(7));
    tally.outcome(Fate.TIMEOUT, "expired", TimeUnit.SECONDS.toNanos(1));
    tally.outcome(Fate.ANSWER, "expired", TimeUnit.SECONDS.toNanos(30));

    LatencySummary latency = LatencySummary.of(tally.allRoundTrips());

    // Expired interactions are not round trips: only the three answered or rejected ones are in the latency.
    assertEquals(3, latency.count());
    assertEquals(7.0, latency.maxMillis(), 7.0 * PRECISION);
    assertEquals(5, tally.ended());
    assertEquals(Map.of("answered", 2L, "rejected", 1L, "expired", 2L), tally.outcomes());
    assertEquals(Map.of("answer -> expired", 1L), tally.unplanned());
  }

  @Test
  void theTextNamesEveryFigureAndTheReasonsForFailing() {
    ServerGauges start = new ServerGauges(0, 0, 0, OptionalLong.of(20 << 20), OptionalLong.empty(), OptionalLong.empty());
    ServerGauges end = new ServerGauges(3, 0, 0, OptionalLong.of(24 << 20), OptionalLong.empty(), OptionalLong.empty());
    LoadReport report =
        new LoadReport(
            "http://127.0.0.1:8080",
            200,
            20,
            20,
            Mix.DEFAULT.toString(),
            20,
            21.5,
            8_000,
            LoadReport.perSecond(8_000, 21.5),
            9_000,
            LoadReport.perSecond(9_000, 21.5),
            new LatencySummary(8_000, 12.3, 45.6, 78.9, 120.0),
            Map.of("answered", 7_000L, "rejected", 1_000L, "expired", 1_000L),
            Map.of(),
            Map.of("create: 429 pending_limit", 2L),
            Map.of(),
            new ClientCounts(260, 30, 30, 4),
            start,
            Optional.of(end),
            60.0,
            List.of(new LoadReport.NodeReport("http://127.0.0.1:8080", 200, 20, start, Optional.of(end))),
            List.of("the server did not return to its baseline within 60.0 s: sessions alive 3 > 0"));

    String text = report.toText();

    assertTrue(text.contains("round trips/s      372.1  (8000 answered or rejected)"), text);
    assertTrue(text.contains("p50 12.3 ms  p95 45.6 ms  p99 78.9 ms  max 120.0 ms"), text);
    assertTrue(text.contains("outcomes           answered 7000, expired 1000, rejected 1000"), text);
    assertTrue(text.contains("errors             create: 429 pending_limit 2"), text);
    assertTrue(text.contains("heap after GC         20.0 MiB -> 24.0 MiB"), text);
    assertTrue(text.contains("threads           not exported -> not exported"), text);
    assertTrue(text.contains("FAILED\n  - the server did not return to its baseline"), text);
    assertTrue(text.contains("server gauges      start -> end (after 60.0 s of settling)\n"), text);
    assertFalse(text.contains("(200 clients, 20 requesters)"), "one server has no per-node block:\n" + text);
  }

  @Test
  void severalServersAreReportedInTotalAndNodeByNode() {
    ServerGauges first = new ServerGauges(2, 0, 1, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());
    ServerGauges second = new ServerGauges(0, 0, 0, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());
    ServerGauges idle = new ServerGauges(0, 0, 0, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());
    LoadReport report =
        new LoadReport(
            "http://127.0.0.1:8081,http://127.0.0.1:8082",
            200,
            50,
            20,
            Mix.DEFAULT.toString(),
            20,
            20,
            0,
            0,
            0,
            0,
            new LatencySummary(0, 0, 0, 0, 0),
            Map.of(),
            Map.of(),
            Map.of(),
            Map.of(),
            new ClientCounts(200, 0, 0, 0),
            idle,
            Optional.of(new ServerGauges(2, 0, 1, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty())),
            60.0,
            List.of(
                new LoadReport.NodeReport("http://127.0.0.1:8081", 100, 10, idle, Optional.of(first)),
                new LoadReport.NodeReport("http://127.0.0.1:8082", 100, 10, idle, Optional.of(second))),
            List.of());

    String text = report.toText();

    assertTrue(text.contains("== Load report: http://127.0.0.1:8081,http://127.0.0.1:8082 =="), text);
    assertTrue(
        text.contains(
            "server gauges      total of 2 servers, start -> end (after 60.0 s of settling)\n"
                + "  sessions alive               0 -> 2\n"),
        text);
    assertTrue(
        text.contains("  http://127.0.0.1:8081 (100 clients, 10 requesters)\n    sessions alive               0 -> 2\n"),
        text);
    assertTrue(
        text.contains("  http://127.0.0.1:8082 (100 clients, 10 requesters)\n    sessions alive               0 -> 0\n"),
        text);
  }
}
