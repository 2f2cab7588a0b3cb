package dev.interactions.loadtool;

/** The server's gauges could not be read (no {@code /metrics}, a required gauge missing, the server unreachable). */
public final class GaugesUnavailableException extends Exception {

  /** With a message that says what is missing and where it was looked for. */
  public GaugesUnavailableException(String message) {
    super(message);
  }

  /** With a message and the failure behind it. */
  public GaugesUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
