package dev.interactions.metrics;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import kamon.Kamon;

/**
 * Starts Kamon for the standalone server, before any Pekko class is loaded: Kanela can only instrument classes it sees
 * being loaded, so attaching it after the actor system exists would miss the actor classes (and log class-cast errors).
 */
public final class KamonStartup {

  private KamonStartup() {}

  /**
   * Starts Kamon with {@code config}, as {@code orchestrator.metrics} says: nothing when metrics are off; otherwise its
   * snapshots, the JVM and process metrics, and, with {@code instrumentation} on, the Kanela agent for the Pekko actor
   * metrics. Call it first thing in {@code main}, once per JVM. An embedding application calls it, or {@code
   * Kamon.init} with its own configuration, before it creates its actor system.
   */
  public static void start(Config config) {
    MetricsSettings settings = MetricsSettings.from(config);
    if (!settings.enabled()) {
      return;
    }
    Config kamonConfig = kamonConfig(config);
    if (settings.instrumentation()) {
      chooseAgentModules(kamonConfig);
      Kamon.init(kamonConfig);
    } else {
      Kamon.initWithoutAttaching(kamonConfig);
    }
  }

  /**
   * Kanela reads its own configuration ({@code ConfigFactory.load()}), not the one handed to Kamon, so the agent
   * modules our {@code kamon.conf} switches off are passed to it as system properties (unless set on the command
   * line).
   */
  private static void chooseAgentModules(Config kamonConfig) {
    Config modules = kamonConfig.getConfig("kanela.modules");
    for (String module : modules.root().keySet()) {
      String property = "kanela.modules." + module + ".enabled";
      if (System.getProperty(property) == null && modules.hasPath(module + ".enabled")) {
        System.setProperty(property, String.valueOf(modules.getBoolean(module + ".enabled")));
      }
    }
    ConfigFactory.invalidateCaches();
  }

  /** {@code config} with the Kamon settings the server imposes (see {@code dev/interactions/metrics/kamon.conf}). */
  public static Config kamonConfig(Config config) {
    return ConfigFactory.parseResources(KamonStartup.class, "kamon.conf").withFallback(config).resolve();
  }
}
