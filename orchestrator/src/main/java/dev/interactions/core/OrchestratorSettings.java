package dev.interactions.core;

import com.typesafe.config.Config;
import dev.interactions.protocol.WhenNoDevice;
import java.time.Duration;

/**
 * The {@code orchestrator} section of the configuration, read once. Every key is documented in {@code reference.conf}.
 *
 * @param maxSessions sessions one node holds at most
 * @param maxPendingPerSession pending interactions one session holds at most
 * @param maxConnectionsPerSession connections attached to one session at most
 * @param reconnectGrace how long a session keeps its pending interactions while no client is connected
 * @param closedRetention how long a session remembers the outcome of a closed interaction
 * @param closedRetentionMax how many closed outcomes one session remembers at most
 * @param defaultTimeout deadline of an interaction that names none
 * @param minTimeout shortest deadline a request may ask for
 * @param maxTimeout longest deadline a request may ask for
 * @param maxPayloadBytes largest payload, in UTF-8 bytes
 * @param maxKindLength longest {@code kind}
 * @param maxWaitersPerInteraction long-polling readers (and idempotent repeat requesters) one interaction holds at most
 * @param whenNoDevice what an interaction whose request names no policy does while no device is connected
 * @param maxApprovals how many approvals one request may require at most
 * @param askTimeout how long the Java API waits for the orchestrator to admit a request or answer a query
 * @param outcomeSlack how long past an interaction's deadline the Java API still waits for its outcome
 * @param attachRetryDelay how long a connection (WebSocket, SSE or in-process) waits before attaching again to a session
 *     that refused it or did not answer while moving or restarting
 * @param store where sessions keep their record
 */
public record OrchestratorSettings(
    int maxSessions,
    int maxPendingPerSession,
    int maxConnectionsPerSession,
    Duration reconnectGrace,
    Duration closedRetention,
    int closedRetentionMax,
    Duration defaultTimeout,
    Duration minTimeout,
    Duration maxTimeout,
    int maxPayloadBytes,
    int maxKindLength,
    int maxWaitersPerInteraction,
    WhenNoDevice whenNoDevice,
    int maxApprovals,
    Duration askTimeout,
    Duration outcomeSlack,
    Duration attachRetryDelay,
    StoreSettings store) {

  /** Reads the settings from the {@code orchestrator} section of {@code config}. */
  public static OrchestratorSettings from(Config config) {
    Config c = config.getConfig("orchestrator");
    return new OrchestratorSettings(
        positive(c, "node.max-sessions"),
        positive(c, "session.max-pending-interactions"),
        positive(c, "session.max-connections"),
        c.getDuration("session.reconnect-grace"),
        c.getDuration("session.closed-retention"),
        nonNegative(c, "session.closed-retention-max"),
        c.getDuration("interaction.default-timeout"),
        c.getDuration("interaction.min-timeout"),
        c.getDuration("interaction.max-timeout"),
        positive(c, "interaction.max-payload-bytes"),
        positive(c, "interaction.max-kind-length"),
        positive(c, "interaction.max-waiters"),
        WhenNoDevice.named("orchestrator.interaction.when-no-device", c.getString("interaction.when-no-device")),
        positive(c, "interaction.max-approvals"),
        c.getDuration("api.ask-timeout"),
        c.getDuration("api.outcome-slack"),
        positiveDuration(c, "attach-retry-delay"),
        StoreSettings.from(config));
  }

  private static int nonNegative(Config c, String path) {
    int value = c.getInt(path);
    if (value < 0) {
      throw new IllegalArgumentException("orchestrator." + path + " must not be negative, was " + value);
    }
    return value;
  }

  private static Duration positiveDuration(Config c, String path) {
    Duration value = c.getDuration(path);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("orchestrator." + path + " must be positive, was " + value);
    }
    return value;
  }

  private static int positive(Config c, String path) {
    int value = c.getInt(path);
    if (value <= 0) {
      throw new IllegalArgumentException("orchestrator." + path + " must be positive, was " + value);
    }
    return value;
  }
}
