package dev.interactions.transport;

/**
 * Why the server aborted a client's socket: the client did not read fast enough, or did not let its stream end in time.
 * The connection logs it once, as a warning; Pekko HTTP's own error line for the aborted event stream is dropped by
 * {@link AbortedStreamLogFilter}. Carries no stack trace: where it was thrown says nothing about the client.
 */
public final class SlowConsumerAborted extends RuntimeException {

  SlowConsumerAborted() {
    super("the client did not read what the server sent; its connection was aborted", null, false, false);
  }
}
