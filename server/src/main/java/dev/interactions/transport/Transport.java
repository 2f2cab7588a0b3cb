package dev.interactions.transport;

import dev.interactions.core.Census;

/** How a client is connected; a bounded tag for logs and metrics. */
public enum Transport {
  WEBSOCKET(Census.Transport.WEBSOCKET),
  SSE(Census.Transport.SSE);

  private final Census.Transport census;

  Transport(Census.Transport census) {
    this.census = census;
  }

  /** The same transport as the {@link Census} counts it. */
  public Census.Transport census() {
    return census;
  }
}
