package dev.interactions.loadtool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ClusterGaugesTest {

  private static final URI FIRST = URI.create("http://127.0.0.1:8081");
  private static final URI SECOND = URI.create("http://127.0.0.1:8082");

  @Test
  void theTotalSumsTheNodesAndKeepsAnOptionalFigureOnlyWhenEveryNodeExportsIt() {
    ClusterGauges gauges =
        cluster(
            new ServerGauges(3, 10, 2, OptionalLong.of(100), OptionalLong.of(40), OptionalLong.empty()),
            new ServerGauges(1, 20, 0, OptionalLong.of(50), OptionalLong.of(30), OptionalLong.of(90)));

    assertEquals(
        new ServerGauges(4, 30, 2, OptionalLong.of(150), OptionalLong.of(70), OptionalLong.empty()), gauges.total());
  }

  @Test
  void eachNodeIsComparedWithItsOwnBaselineSoADropElsewhereHidesNoLeak() {
    ClusterGauges baseline = cluster(gauges(0, 0, 0), gauges(5, 0, 0));
    // In total 5 -> 5, yet the first node kept 5 sessions that were not there before.
    ClusterGauges after = cluster(gauges(5, 0, 0), gauges(0, 0, 0));

    assertEquals(List.of("http://127.0.0.1:8081: sessions alive 5 > 0"), after.aboveBaseline(baseline));
    assertEquals(List.of(), cluster(gauges(0, 0, 0), gauges(5, 0, 0)).aboveBaseline(baseline));
  }

  @Test
  void oneServerReadsAsBefore() {
    ClusterGauges baseline = new ClusterGauges(List.of(new ClusterGauges.NodeGauges(FIRST, gauges(0, 0, 0))));
    ClusterGauges after = new ClusterGauges(List.of(new ClusterGauges.NodeGauges(FIRST, gauges(2, 1, 0))));

    assertEquals(List.of("sessions alive 2 > 0", "connections alive 1 > 0"), after.aboveBaseline(baseline));
    assertEquals("sessions 2 connections 1 pending 0", after.summary());
  }

  @Test
  void theSummaryShowsTheTotalAndEachNode() {
    assertEquals(
        "total sessions 4 connections 67 pending 2 | sessions/connections/pending by node: "
            + "127.0.0.1:8081 3/33/2, 127.0.0.1:8082 1/34/0",
        cluster(gauges(3, 33, 2), gauges(1, 34, 0)).summary());
  }

  @Test
  void everyServerMustBeReadable() {
    ClusterGaugeSource source =
        new ClusterGaugeSource(
            List.of(FIRST, SECOND),
            List.of(
                () -> gauges(0, 0, 0),
                () -> {
                  throw new GaugesUnavailableException("GET http://127.0.0.1:8082/metrics failed");
                }));

    GaugesUnavailableException failure = assertThrows(GaugesUnavailableException.class, source::read);
    assertEquals("http://127.0.0.1:8082: GET http://127.0.0.1:8082/metrics failed", failure.getMessage());
  }

  private static ClusterGauges cluster(ServerGauges first, ServerGauges second) {
    return new ClusterGauges(List.of(new ClusterGauges.NodeGauges(FIRST, first), new ClusterGauges.NodeGauges(SECOND, second)));
  }

  private static ServerGauges gauges(long sessions, long connections, long pending) {
    return new ServerGauges(sessions, connections, pending, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());
  }
}
