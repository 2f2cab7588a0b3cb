package dev.interactions.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import dev.interactions.core.OrchestratorSettings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The watchdog warns once per crossing of a rule, clears it when the reading is back, and reports what is crossed. */
class WatchdogTest {

  private static final Duration PERIOD = Duration.ofSeconds(10);

  private static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load()));
  private static final ManualTime time = ManualTime.get(testKit.system());

  /** Per-session bounds: 2 pending interactions and 3 connections per session. */
  private static final OrchestratorSettings CORE =
      OrchestratorSettings.from(
          ConfigFactory.parseString(
                  "orchestrator.session { max-pending-interactions = 2, max-connections = 3 }")
              .withFallback(ConfigFactory.load()));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void warnsOnceWhenAThresholdIsCrossedAndAgainOnlyAfterItWasBackBelow() {
    AtomicReference<Watchdog.Reading> reading = new AtomicReference<>(reading(10, 5, 0));
    ActorRef<Watchdog.Command> watchdog =
        watchdog(new WatchdogSettings(true, PERIOD, 0, 0, 20, 0), reading);
    AtomicInteger warnings = new AtomicInteger();

    Watchdog.Findings crossed =
        LoggingTestKit.warn("watchdog: sessions crossed")
            .withCustom(event -> counted(event.message(), warnings))
            .expect(
                testKit.system(),
                () -> {
                  reading.set(reading(21, 5, 0));
                  comparisons(4); // four comparisons above the threshold: one warning
                  return findings(watchdog); // answered after the four, while warnings are still counted
                });
    assertEquals(1, warnings.get(), "one warning for one crossing, however long it lasts");
    assertEquals(List.of("sessions"), rules(crossed));

    reading.set(reading(20, 5, 0)); // at the threshold is not above it
    comparisons(2);
    assertEquals(List.of(), rules(findings(watchdog)), "back below: cleared");

    Watchdog.Findings crossedAnew =
        LoggingTestKit.warn("watchdog: sessions crossed")
            .withCustom(event -> counted(event.message(), warnings))
            .expect(
                testKit.system(),
                () -> {
                  reading.set(reading(25, 5, 0));
                  comparisons(3);
                  return findings(watchdog);
                });
    assertEquals(2, warnings.get(), "crossed anew: warned anew, once");
    assertEquals(List.of("sessions"), rules(crossedAnew));
    testKit.stop(watchdog);
  }

  @Test
  void pendingInteractionsBeyondWhatTheSessionsMayHoldAreFoundOnlyWhenTheyPersist() {
    AtomicReference<Watchdog.Reading> reading = new AtomicReference<>(reading(1, 0, 0));
    ActorRef<Watchdog.Command> watchdog =
        watchdog(new WatchdogSettings(true, PERIOD, 0, 0, 0, 0), reading);

    reading.set(reading(1, 0, 3)); // 3 pending, 1 session of at most 2: impossible for long
    comparisons(1);
    assertEquals(List.of(), rules(findings(watchdog)), "one sample may be actors starting and stopping a moment apart");

    LoggingTestKit.warn("watchdog: pending-per-session crossed")
        .withLoggerName(Watchdog.class.getName()) // not Pekko's ActorCell, whose lines below WARN are not logged
        .expect(
            testKit.system(),
            () -> {
              comparisons(1);
              return null;
            });
    Watchdog.Findings findings = findings(watchdog);
    assertEquals(List.of("pending-per-session"), rules(findings));
    assertEquals(
        "3 pending interactions for 1 sessions of at most 2, above 2", findings.findings().get(0).detail());
    testKit.stop(watchdog);
  }

  @Test
  void connectionsBeyondWhatTheSessionsMayHoldAreFound() {
    AtomicReference<Watchdog.Reading> reading = new AtomicReference<>(reading(2, 7, 0));
    ActorRef<Watchdog.Command> watchdog =
        watchdog(new WatchdogSettings(true, PERIOD, 0, 0, 0, 0), reading);

    comparisons(2);

    assertEquals(List.of("connections-per-session"), rules(findings(watchdog)));
    testKit.stop(watchdog);
  }

  @Test
  void connectionsOfSessionsOnOtherNodesAreNotAFinding() {
    AtomicReference<Watchdog.Reading> reading = new AtomicReference<>(new Watchdog.Reading(0, 7, 0, 0, 3));
    ActorRef<Watchdog.Command> watchdog =
        watchdog(new WatchdogSettings(true, PERIOD, 0, 0, 0, 0), reading);

    comparisons(2);

    assertEquals(List.of(), rules(findings(watchdog)));
    testKit.stop(watchdog);
  }

  @Test
  void everyThresholdIsItsOwnRule() {
    AtomicReference<Watchdog.Reading> reading =
        new AtomicReference<>(new Watchdog.Reading(100, 101, 102, 1_000_001, 1));
    ActorRef<Watchdog.Command> watchdog =
        watchdog(new WatchdogSettings(true, PERIOD, 101, 100, 99, 1_000_000), reading);

    comparisons(1);

    assertEquals(
        List.of("pending-interactions", "connections", "sessions", "heap-after-gc"), rules(findings(watchdog)));
    testKit.stop(watchdog);
  }

  /** Starts a watchdog and waits until it runs, so that its timer is set before time is made to pass. */
  private static ActorRef<Watchdog.Command> watchdog(WatchdogSettings settings, AtomicReference<Watchdog.Reading> reading) {
    ActorRef<Watchdog.Command> watchdog = testKit.spawn(Watchdog.create(settings, CORE, reading::get));
    findings(watchdog);
    return watchdog;
  }

  private static boolean counted(String message, AtomicInteger warnings) {
    if (message.startsWith("watchdog: sessions crossed")) {
      warnings.incrementAndGet();
    }
    return true;
  }

  private static Watchdog.Reading reading(long sessions, long connections, long pending) {
    return new Watchdog.Reading(sessions, connections, pending, 0, 1);
  }

  /** Lets the period pass {@code n} times; each comparison is queued before this returns. */
  private static void comparisons(int n) {
    for (int i = 0; i < n; i++) {
      time.timePasses(PERIOD);
    }
  }

  /** Asked after the comparisons were queued, so answered after they ran. */
  private static Watchdog.Findings findings(ActorRef<Watchdog.Command> watchdog) {
    TestProbe<Watchdog.Findings> probe = testKit.createTestProbe();
    watchdog.tell(new Watchdog.GetFindings(probe.ref()));
    return probe.receiveMessage(Duration.ofSeconds(20));
  }

  private static List<String> rules(Watchdog.Findings findings) {
    return findings.findings().stream().map(Watchdog.Finding::rule).toList();
  }
}
