package dev.interactions.loadtool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import org.junit.jupiter.api.Test;

/**
 * The failing side of the verdict, against a real server that keeps something after the load: with the default
 * {@code closed-retention} (10 min) every session the load touched stays alive, so a short settle must report it.
 */
class LeakDetectionTest {

  @Test
  void sessionsKeptAfterTheSettlePeriodFailTheRun() throws Exception {
    try (RunningServer server = RunningServer.start("")) {
      LoadOptions options =
          LoadTool.parse(
              "--url", server.url(), "--clients", "20", "--sessions", "5", "--requesters", "5", "--duration", "3s",
              "--mix", "answer=1", "--settle", "2s");

      LoadReport report = new LoadRun(options, server.gauges(), HttpClient.newHttpClient(), System.out).run();

      assertFalse(report.passed(), report.toText());
      assertEquals(5, report.gaugesAtEnd().orElseThrow().sessionsAlive(), report.toText());
      assertEquals(0, report.gaugesAtEnd().orElseThrow().connectionsAlive(), report.toText());
      assertEquals(1, report.failures().size(), report.toText());
      assertTrue(
          report.failures().get(0).startsWith("the server did not return to its baseline within 2.0 s: sessions alive 5 > 0"),
          report.toText());
      assertTrue(report.failures().get(0).contains("closed-retention"), report.toText());
    }
  }
}
