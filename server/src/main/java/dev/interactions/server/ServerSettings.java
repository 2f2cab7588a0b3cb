package dev.interactions.server;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code orchestrator.http} section, read once.
 *
 * @param host address to bind
 * @param port port to bind
 * @param shutdownDeadline how long a graceful shutdown may take
 * @param readinessTimeout how long each readiness check may take to answer {@code /health/ready}
 */
public record ServerSettings(String host, int port, Duration shutdownDeadline, Duration readinessTimeout) {

  /** Reads {@code orchestrator.http} from {@code config}. */
  public static ServerSettings from(Config config) {
    Config c = config.getConfig("orchestrator.http");
    return new ServerSettings(
        c.getString("host"), c.getInt("port"), c.getDuration("shutdown-deadline"), c.getDuration("readiness-timeout"));
  }
}
