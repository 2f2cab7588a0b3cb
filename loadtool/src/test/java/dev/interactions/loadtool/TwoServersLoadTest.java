package dev.interactions.loadtool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The tool spreading one run over two real servers, as over the nodes of a cluster. The two servers here are
 * independent (no cluster yet: a session on one knows nothing of the other), which the run copes with because every
 * session has clients on both servers, so an interaction is always seen by a client of the server it was requested on.
 */
class TwoServersLoadTest {

  /** 40 clients on 10 sessions: 4 per session, 2 on each server; no fate that makes clients leave, so 20 stay on each. */
  private static final String[] LOAD = {
    "--clients", "40", "--sessions", "10", "--requesters", "6", "--duration", "8s",
    "--mix", "answer=6,reject=2,cancel=1,timeout=1", "--interaction-timeout", "1s", "--settle", "60s", "--progress", "1s",
  };

  @Test
  void clientsAndRequestersReachBothServersAndBothReturnToTheirBaseline() throws Exception {
    try (RunningServer first = RunningServer.start("orchestrator.session.closed-retention = 2s");
        RunningServer second = RunningServer.start("orchestrator.session.closed-retention = 2s")) {
      LoadOptions options = LoadTool.parse(concat(LOAD, "--url", first.url() + "," + second.url()));
      PeakConnections firstPeak = new PeakConnections(first.census());
      PeakConnections secondPeak = new PeakConnections(second.census());
      ClusterGaugeSource gauges =
          new ClusterGaugeSource(List.of(URI.create(first.url()), URI.create(second.url())), List.of(firstPeak, secondPeak));

      LoadReport report =
          new LoadRun(
                  options,
                  gauges,
                  HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
                  System.out)
              .run();

      System.out.print(report.toText());
      assertTrue(report.passed(), report.toText());
      assertEquals(0, report.errors().values().stream().mapToLong(Long::longValue).sum(), report.toText());
      // The progress lines read the gauges while every client was connected: 20 on each server.
      assertEquals(20, firstPeak.peak(), report.toText());
      assertEquals(20, secondPeak.peak(), report.toText());
      assertTrue(first.interactionsClosed() > 0 && second.interactionsClosed() > 0, report.toText());
      assertEquals(report.interactionsEnded(), first.interactionsClosed() + second.interactionsClosed(), report.toText());
      assertEquals(2, report.nodes().size(), report.toText());
      for (LoadReport.NodeReport node : report.nodes()) {
        assertEquals(20, node.clients(), report.toText());
        assertEquals(3, node.requesters(), report.toText());
        assertEquals(0, node.gaugesAtEnd().orElseThrow().connectionsAlive(), report.toText());
      }
      assertEquals(
          first.url() + "," + second.url(), report.server(), "the report names both servers:\n" + report.toText());
    }
  }

  /** A server's census that remembers the most connections it reported. */
  private static final class PeakConnections implements GaugeSource {

    private final GaugeSource census;
    private final AtomicLong peak = new AtomicLong();

    PeakConnections(GaugeSource census) {
      this.census = census;
    }

    @Override
    public ServerGauges read() throws GaugesUnavailableException {
      ServerGauges gauges = census.read();
      peak.accumulateAndGet(gauges.connectionsAlive(), Math::max);
      return gauges;
    }

    long peak() {
      return peak.get();
    }
  }

  private static String[] concat(String[] first, String... more) {
    String[] all = new String[first.length + more.length];
    System.arraycopy(first, 0, all, 0, first.length);
    System.arraycopy(more, 0, all, first.length, more.length);
    return all;
  }
}
