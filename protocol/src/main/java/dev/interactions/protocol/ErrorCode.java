package dev.interactions.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** The {@code code} of an {@code error} frame. The wire names are part of the public contract. */
public enum ErrorCode {
  /** Malformed JSON, an unknown {@code type} or field, or a field with a wrong value. The connection stays up. */
  BAD_MESSAGE("bad_message"),
  /** No interaction with that id is pending or remembered in this session. */
  UNKNOWN_INTERACTION("unknown_interaction"),
  /** The interaction already has its outcome (another device answered first, it expired, was cancelled...). */
  ALREADY_CLOSED("already_closed"),
  /** The message is over the configured size limit. */
  TOO_LARGE("too_large"),
  /** The caller may not act on that session or interaction. */
  FORBIDDEN("forbidden"),
  /** Too many messages in a short time, or a bound of the session was reached. */
  RATE_LIMITED("rate_limited"),
  /** The token the connection was opened with expired (after the leeway); the server closes it next. */
  TOKEN_EXPIRED("token_expired"),
  /**
   * The answer does not fit the interaction's answer schema (its own, or the one its standard kind implies); the
   * interaction stays pending and the {@code errors} list each problem.
   */
  INVALID_ANSWER("invalid_answer");

  private final String wireName;

  ErrorCode(String wireName) {
    this.wireName = wireName;
  }

  /** The name on the wire. */
  @JsonValue
  public String wireName() {
    return wireName;
  }
}
