package dev.interactions.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interactions.protocol.OutcomeCode;

/**
 * The CLI's exit status, so that a shell can act on the outcome: {@code interactions ask … && deploy} deploys only
 * when the person said yes.
 */
public final class ExitStatus {

  /** Answered; for a {@code confirm}, confirmed. */
  public static final int ANSWERED = 0;

  /** {@code ask --no-wait}: the interaction was created (its id is printed). */
  public static final int CREATED = 0;

  /** Rejected, or a {@code confirm} answered with {@code "confirmed": false}. */
  public static final int REJECTED = 1;

  /** It ended without anyone deciding: expired, cancelled, disconnected, undelivered, or the server shut down. */
  public static final int NOT_DECIDED = 2;

  /** The server refused the call, could not be reached, or answered something this CLI cannot read. */
  public static final int ERROR = 3;

  /** The command line is wrong. */
  public static final int USAGE = 4;

  /** {@code get} without {@code --wait}: nobody has decided yet. */
  public static final int PENDING = 5;

  private ExitStatus() {}

  /**
   * The status that says how an interaction of {@code kind} ended.
   *
   * @param value the answer when {@code answered} (may be null otherwise)
   */
  public static int of(String kind, OutcomeCode outcome, JsonNode value) {
    return switch (outcome) {
      case ANSWERED -> "confirm".equals(kind) && !confirmed(value) ? REJECTED : ANSWERED;
      case REJECTED -> REJECTED;
      case EXPIRED, CANCELLED, DISCONNECTED, UNDELIVERED, SHUTDOWN -> NOT_DECIDED;
    };
  }

  /**
   * Whether a {@code confirm} answer says yes. Anything but {@code "confirmed": true} counts as no (the server checks
   * confirm answers, so this is only ever a boolean), so that a pipeline never goes ahead on an answer it misread.
   */
  private static boolean confirmed(JsonNode value) {
    return value != null && value.path("confirmed").isBoolean() && value.path("confirmed").booleanValue();
  }
}
