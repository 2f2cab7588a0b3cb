package dev.interactions.transport;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

/**
 * The {@code orchestrator.transport} section, read once; every key is documented in the server's {@code reference.conf}.
 *
 * @param heartbeat how often clients must show they are alive (advertised as {@code heartbeatMs})
 * @param livenessTimeout a WebSocket that sends nothing for this long is considered gone
 * @param maxMessageBytes largest client message, in UTF-8 bytes, whether it arrives whole or streamed
 * @param outboundBuffer messages queued for a client that does not read; past it the client is disconnected
 * @param messagesPerSecond sustained client message rate allowed per connection
 * @param messageBurst client messages allowed in a burst above the sustained rate
 * @param maxViolations oversized or rate-limited messages tolerated per connection before it is closed
 * @param maxConnections connections (WebSocket and SSE) this node accepts at most
 * @param maxWait longest {@code waitMs} honoured by long-polling requests
 * @param allowedOrigins browser origins allowed to open a WebSocket; empty allows same-origin only, {@code *} allows all
 */
public record TransportSettings(
    Duration heartbeat,
    Duration livenessTimeout,
    int maxMessageBytes,
    int outboundBuffer,
    int messagesPerSecond,
    int messageBurst,
    int maxViolations,
    int maxConnections,
    Duration maxWait,
    List<String> allowedOrigins) {

  public TransportSettings {
    allowedOrigins = List.copyOf(allowedOrigins);
  }

  /** These settings with another cap of client streams. */
  public TransportSettings withMaxConnections(int maxConnections) {
    return new TransportSettings(
        heartbeat,
        livenessTimeout,
        maxMessageBytes,
        outboundBuffer,
        messagesPerSecond,
        messageBurst,
        maxViolations,
        maxConnections,
        maxWait,
        allowedOrigins);
  }

  /** Reads {@code orchestrator.transport} from {@code config}. */
  public static TransportSettings from(Config config) {
    Config c = config.getConfig("orchestrator.transport");
    return new TransportSettings(
        c.getDuration("heartbeat"),
        c.getDuration("liveness-timeout"),
        (int) c.getMemorySize("max-message-size").toBytes(),
        c.getInt("outbound-buffer"),
        c.getInt("messages-per-second"),
        c.getInt("message-burst"),
        c.getInt("max-violations"),
        c.getInt("max-connections"),
        c.getDuration("max-wait"),
        c.getStringList("allowed-origins"));
  }
}
