package dev.interactions.loadtool;

import java.util.Arrays;
import java.util.Optional;

/**
 * What the tool makes happen to one interaction. The requester draws it from the {@link Mix} and puts it in the payload
 * ({@code {"fate":"answer",…}}); the client that claims the interaction acts on it.
 */
public enum Fate {
  /** The claiming client answers; expected outcome {@code answered}. */
  ANSWER("answer", "answered"),
  /** The claiming client rejects; expected {@code rejected}. */
  REJECT("reject", "rejected"),
  /** Nobody answers; the requester cancels it with {@code DELETE} after a short wait; expected {@code cancelled}. */
  CANCEL("cancel", "cancelled"),
  /** Nobody answers; it runs into its short deadline ({@code --interaction-timeout}); expected {@code expired}. */
  TIMEOUT("timeout", "expired"),
  /**
   * The claiming client drops its socket abruptly (no close frame) and a new client takes its place; the interaction
   * is left to its short deadline; expected {@code expired}.
   */
  DROP("drop", "expired"),
  /** Like {@link #DROP}, but the client closes cleanly (close frame, close handshake); expected {@code expired}. */
  DISCONNECT("disconnect", "expired");

  private final String wireName;
  private final String expectedOutcome;

  Fate(String wireName, String expectedOutcome) {
    this.wireName = wireName;
    this.expectedOutcome = expectedOutcome;
  }

  /** The name in {@code --mix} and in interaction payloads. */
  public String wireName() {
    return wireName;
  }

  /** The outcome this fate should end in when nothing else interferes. */
  public String expectedOutcome() {
    return expectedOutcome;
  }

  /** True when nobody answers and the interaction is meant to reach its (short) deadline. */
  public boolean runsToDeadline() {
    return expectedOutcome.equals("expired");
  }

  /** The fate named {@code wireName}, if any. */
  public static Optional<Fate> named(String wireName) {
    return Arrays.stream(values()).filter(fate -> fate.wireName.equals(wireName)).findFirst();
  }
}
