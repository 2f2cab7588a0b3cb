package dev.interactions.client;

import dev.interactions.protocol.Audit;
import dev.interactions.protocol.HttpBodies;
import dev.interactions.protocol.OutcomeCode;
import dev.interactions.protocol.RawJson;
import java.time.Instant;
import java.util.Optional;

/**
 * An interaction as a requester reads it ({@code docs/PROTOCOL.md}, "The interaction as a requester reads it"): pending,
 * or closed with its {@link #outcome()}. {@link #wire()} is the body as the server sent it.
 */
public final class InteractionState {

  private static final String PENDING = "pending";

  private final HttpBodies.Interaction wire;

  InteractionState(HttpBodies.Interaction wire) {
    this.wire = wire;
  }

  /** The interaction's id, chosen by the server. */
  public String id() {
    return wire.id();
  }

  /** The session it was requested in. */
  public String sessionId() {
    return wire.sessionId();
  }

  /** What to show, as requested (e.g. {@code "confirm"}). */
  public String kind() {
    return wire.kind();
  }

  /** {@code "pending"} or the outcome's wire name, as sent (also for outcomes this library does not know). */
  public String status() {
    return wire.status();
  }

  /** Whether it has not ended yet. */
  public boolean isPending() {
    return PENDING.equals(wire.status());
  }

  /** How it ended; empty while pending (and for an outcome this library does not know: see {@link #status()}). */
  public Optional<OutcomeCode> outcome() {
    for (OutcomeCode code : OutcomeCode.values()) {
      if (code.wireName().equals(wire.status())) {
        return Optional.of(code);
      }
    }
    return Optional.empty();
  }

  /** When it was requested. */
  public Instant requestedAt() {
    return wire.requestedAt();
  }

  /** When it ends unless answered; devices' extensions move it. */
  public Instant expiresAt() {
    return wire.expiresAt();
  }

  /** The answer (JSON {@code null} if the device sent none), once {@code answered}. */
  public Optional<RawJson> value() {
    return Optional.ofNullable(wire.value());
  }

  /**
   * The answer read as {@code type} (a record, a map, {@code JsonNode}, …).
   *
   * @throws IllegalStateException if it was not answered
   * @throws IllegalArgumentException if the answer does not read as {@code type}
   */
  public <T> T valueAs(Class<T> type) {
    RawJson value = value().orElseThrow(() -> new IllegalStateException("interaction " + id() + " is " + status()));
    return ClientCodec.read(value.text(), type);
  }

  /** The rejection's reason, when a device gave one. */
  public Optional<String> reason() {
    return Optional.ofNullable(wire.reason());
  }

  /** The connection whose answer won ({@code websocket-…}, {@code sse-…}, {@code http:<sub>}), once answered. */
  public Optional<String> answeredBy() {
    return Optional.ofNullable(wire.answeredBy());
  }

  /** Who answered or showed it and when, as the server verified it; once closed. */
  public Optional<Audit> audit() {
    return Optional.ofNullable(wire.audit());
  }

  /** The body as the server sent it. */
  public HttpBodies.Interaction wire() {
    return wire;
  }

  @Override
  public String toString() {
    return ClientCodec.write(wire);
  }
}
