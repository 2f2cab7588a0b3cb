package dev.interactions.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What a pending interaction does while no device of its session is connected: a request's {@code whenNoDevice}
 * ({@code docs/PROTOCOL.md}, "Human time"); the server's default is {@code orchestrator.interaction.when-no-device},
 * {@link #WAIT}.
 */
public enum WhenNoDevice {
  /**
   * Stays pending until its deadline, connected or not, and is shown to the first device that connects: a person who
   * opens the app a minute later still sees it.
   */
  WAIT("wait"),
  /**
   * Ends as {@code disconnected} once no device has been connected for {@code orchestrator.session.reconnect-grace}
   * (how every interaction behaved before this choice existed; interactions recorded then keep it).
   */
  GRACE("grace"),
  /**
   * Ends as {@code undelivered} at once if no device is connected when it is requested; afterwards it behaves like
   * {@link #GRACE}.
   */
  FAIL("fail");

  private final String wireName;

  WhenNoDevice(String wireName) {
    this.wireName = wireName;
  }

  /** The name on the wire and in the configuration. */
  @JsonValue
  public String wireName() {
    return wireName;
  }

  /**
   * The policy named {@code name}.
   *
   * @throws InvalidInputException naming {@code field} if there is none
   */
  public static WhenNoDevice named(String field, String name) {
    for (WhenNoDevice policy : values()) {
      if (policy.wireName.equals(name)) {
        return policy;
      }
    }
    throw new InvalidInputException(field, "must be one of wait, grace, fail");
  }
}
