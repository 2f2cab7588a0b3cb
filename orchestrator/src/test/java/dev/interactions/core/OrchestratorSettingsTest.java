package dev.interactions.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How the {@code orchestrator} section is read: defaults from {@code reference.conf}, overrides, refused values. */
class OrchestratorSettingsTest {

  private static Config config(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  @Test
  void everyConnectionWaitsHalfASecondBeforeAttachingAgainByDefault() {
    assertEquals(Duration.ofMillis(500), OrchestratorSettings.from(config("")).attachRetryDelay());
  }

  @Test
  void attachRetryDelayIsConfiguredApartFromTheJournalRestartDelay() {
    OrchestratorSettings settings =
        OrchestratorSettings.from(
            config("orchestrator.attach-retry-delay = 250ms\norchestrator.persistence.restart-delay = 7s"));

    assertEquals(Duration.ofMillis(250), settings.attachRetryDelay());
    assertEquals(Duration.ofSeconds(7), settings.store().restartDelay());
  }

  @Test
  void attachRetryDelayThatIsNotPositiveIsRefusedNamingTheKey() {
    for (String delay : new String[] {"0s", "-1s"}) {
      IllegalArgumentException refused =
          assertThrows(
              IllegalArgumentException.class,
              () -> OrchestratorSettings.from(config("orchestrator.attach-retry-delay = " + delay)),
              delay);
      assertTrue(refused.getMessage().contains("orchestrator.attach-retry-delay"), refused.getMessage());
    }
  }
}
