package dev.interactions.transport;

/**
 * What client streams report about their traffic, for metrics. Called on stream and actor threads for every frame:
 * implementations must be quick and thread-safe, and must not tag by session or connection id.
 */
public interface Traffic {

  /** Reports nothing: for a server without metrics. */
  Traffic NONE =
      new Traffic() {
        @Override
        public void received(Transport transport, long bytes) {}

        @Override
        public void sent(Transport transport, long bytes) {}

        @Override
        public void slowConsumerDisconnected(Transport transport) {}
      };

  /** A client message arrived over {@code transport}: {@code bytes} of UTF-8 text (0 for a discarded binary one). */
  void received(Transport transport, long bytes);

  /** A server message of {@code bytes} (UTF-8) was handed to the client's socket over {@code transport}. */
  void sent(Transport transport, long bytes);

  /** A client over {@code transport} did not read fast enough, its outbound buffer overflowed, and it was dropped. */
  void slowConsumerDisconnected(Transport transport);
}
