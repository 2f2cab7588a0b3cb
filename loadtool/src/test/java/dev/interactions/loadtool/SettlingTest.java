package dev.interactions.loadtool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The wait for a server's first metrics snapshot before the load. */
class SettlingTest {

  private static final URI SERVER = URI.create("http://127.0.0.1:1");
  private static final ServerGauges READING =
      new ServerGauges(0, 0, 0, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());

  @Test
  void aServerWithoutItsFirstSnapshotYetIsWaitedFor() throws Exception {
    AtomicInteger reads = new AtomicInteger();
    GaugeSource startingServer =
        () -> {
          if (reads.incrementAndGet() < 3) {
            throw new GaugesUnavailableException(SERVER + " has no interactions_sessions_alive: the leak check needs it");
          }
          return READING;
        };
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    ClusterGauges first =
        Settling.awaitFirstReading(
            ClusterGaugeSource.of(SERVER, startingServer),
            Duration.ofSeconds(30),
            Duration.ofMillis(10),
            new PrintStream(out, true, StandardCharsets.UTF_8));

    assertEquals(READING, first.nodes().get(0).gauges());
    assertEquals(3, reads.get());
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("waiting up to 30 s for the server's gauges"), out.toString());
  }

  @Test
  void aServerThatNeverPublishesItsGaugesFailsWithTheLastReasonAfterTheWait() {
    GaugeSource noScrape =
        () -> {
          throw new GaugesUnavailableException(SERVER + "/metrics answered 404");
        };
    long started = System.nanoTime();

    GaugesUnavailableException failure =
        assertThrows(
            GaugesUnavailableException.class,
            () ->
                Settling.awaitFirstReading(
                    ClusterGaugeSource.of(SERVER, noScrape),
                    Duration.ofMillis(300),
                    Duration.ofMillis(20),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));

    assertTrue(failure.getMessage().contains("answered 404"), failure.getMessage());
    assertTrue(System.nanoTime() - started >= Duration.ofMillis(300).toNanos(), "it waited the whole bound");
  }
}
