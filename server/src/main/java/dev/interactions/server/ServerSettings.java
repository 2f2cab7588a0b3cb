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
 * @param requestHeadTimeout how long a connection may take to send a complete request head, from when it opens or
 *     from when the previous response was sent; then it is closed
 * @param requestBodyTimeout how long a request body may take to arrive once its head is in; then {@code 408}
 * @param fileDescriptorHeadroom file descriptors kept out of the connection cap for the process's own files, database
 *     connections and sockets
 */
public record ServerSettings(
    String host,
    int port,
    Duration shutdownDeadline,
    Duration readinessTimeout,
    Duration requestHeadTimeout,
    Duration requestBodyTimeout,
    int fileDescriptorHeadroom) {

  /** Reads {@code orchestrator.http} from {@code config}. */
  public static ServerSettings from(Config config) {
    Config c = config.getConfig("orchestrator.http");
    return new ServerSettings(
        c.getString("host"),
        c.getInt("port"),
        c.getDuration("shutdown-deadline"),
        c.getDuration("readiness-timeout"),
        c.getDuration("request-head-timeout"),
        c.getDuration("request-body-timeout"),
        c.getInt("file-descriptor-headroom"));
  }
}
