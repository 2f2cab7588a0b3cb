package dev.interactions.cli;

/**
 * A call to the server that did not give an interaction: the server refused it or could not be reached. Its message is
 * what the CLI prints on stderr; it exits with {@link ExitStatus#ERROR}.
 */
final class CallFailedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  CallFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
