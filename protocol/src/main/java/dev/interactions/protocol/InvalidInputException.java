package dev.interactions.protocol;

/**
 * Input that does not fit the contract: a malformed message, an unknown field or type, an id outside its pattern, a value
 * out of range. It names the offending field so that callers can report it precisely; nothing was created or changed.
 */
public final class InvalidInputException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String field;
  private final String problem;

  /**
   * @param field the field that is wrong, as the client spelled it ({@code "(message)"} when the whole input is unusable)
   * @param message what is wrong with it
   */
  public InvalidInputException(String field, String message) {
    super(field + ": " + message);
    this.field = field;
    this.problem = message;
  }

  /** The field that is wrong. */
  public String field() {
    return field;
  }

  /** What is wrong with it. */
  public String problem() {
    return problem;
  }
}
