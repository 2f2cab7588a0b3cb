package dev.interactions.protocol;

import java.util.regex.Pattern;

/** The one rule every session, interaction and connection id follows: {@code [A-Za-z0-9._:-]{1,128}}. */
public final class Identifiers {

  /** Longest id accepted. */
  public static final int MAX_LENGTH = 128;

  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:-]{1," + MAX_LENGTH + "}");

  private Identifiers() {}

  /** Whether {@code value} is a valid id. */
  public static boolean isValid(String value) {
    return value != null && VALID.matcher(value).matches();
  }

  /**
   * Returns {@code value} when it is a valid id.
   *
   * @throws InvalidInputException naming {@code field} otherwise
   */
  public static String require(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new InvalidInputException(field, "is required");
    }
    if (value.length() > MAX_LENGTH) {
      throw new InvalidInputException(field, "is longer than " + MAX_LENGTH + " characters");
    }
    if (!VALID.matcher(value).matches()) {
      throw new InvalidInputException(field, "may only contain letters, digits and . _ : -");
    }
    return value;
  }
}
