package dev.interactions.transport;

/** How a client is connected; a bounded tag for logs and metrics. */
public enum Transport {
  WEBSOCKET,
  SSE
}
