package dev.interactions.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** How an interaction ended, as named on the wire ({@code closed} frames and interaction {@code status}). */
public enum OutcomeCode {
  /** A client answered; the first answer wins. */
  ANSWERED("answered"),
  /** A client rejected it. */
  REJECTED("rejected"),
  /** The requester cancelled it, or the requester went away. */
  CANCELLED("cancelled"),
  /** Its deadline passed. */
  EXPIRED("expired"),
  /** Every client was gone longer than the reconnect grace period. */
  DISCONNECTED("disconnected"),
  /** The orchestrator shut down while it was pending. */
  SHUTDOWN("shutdown"),
  /**
   * No device showed it in time: its {@code deliveryTimeoutMs} passed before the first {@code shown}, or no device was
   * connected when it was requested with {@code whenNoDevice: fail}.
   */
  UNDELIVERED("undelivered");

  private final String wireName;

  OutcomeCode(String wireName) {
    this.wireName = wireName;
  }

  /** The name on the wire. */
  @JsonValue
  public String wireName() {
    return wireName;
  }
}
