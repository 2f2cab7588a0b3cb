package dev.interactions.core;

import dev.interactions.protocol.Identifiers;
import dev.interactions.protocol.InvalidInputException;
import dev.interactions.protocol.RawJson;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a requester asks a human: a {@code kind} that tells the client how to present it (one of the {@link
 * StandardKind}s every client renders, or one of the requester's own, e.g. {@code "tool-approval"}), a JSON {@code
 * payload} (checked for a standard kind, opaque otherwise), an optional timeout (the configured default applies when
 * empty), an optional idempotency key (a second request with the same key in the same session gets the first one's
 * interaction instead of a new one, for as long as the session remembers it), an optional answer schema that every
 * answer must fit (required for {@code form}; the other standard kinds imply theirs), its {@link DeliveryTerms}, how many
 * distinct answerers must approve it, and who those may be ({@link Answerers}).
 */
public record InteractionRequest(
    String kind,
    RawJson payload,
    Optional<Duration> timeout,
    Optional<String> idempotencyKey,
    Optional<RawJson> answerSchema,
    DeliveryTerms delivery,
    int approvalsRequired,
    Answerers answerers) {

  public InteractionRequest {
    Objects.requireNonNull(answerers, "answerers");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    Objects.requireNonNull(answerSchema, "answerSchema");
    Objects.requireNonNull(delivery, "delivery");
  }

  /** A request that one answer completes. */
  public InteractionRequest(
      String kind,
      RawJson payload,
      Optional<Duration> timeout,
      Optional<String> idempotencyKey,
      Optional<RawJson> answerSchema,
      DeliveryTerms delivery) {
    this(kind, payload, timeout, idempotencyKey, answerSchema, delivery, 1, Answerers.ANYONE);
  }

  /** A request without an answer schema or delivery terms of its own. */
  public InteractionRequest(
      String kind, RawJson payload, Optional<Duration> timeout, Optional<String> idempotencyKey) {
    this(kind, payload, timeout, idempotencyKey, Optional.empty(), DeliveryTerms.DEFAULT, 1, Answerers.ANYONE);
  }

  /** A request with the default timeout. */
  public static InteractionRequest of(String kind, RawJson payload) {
    return new InteractionRequest(kind, payload, Optional.empty(), Optional.empty());
  }

  /** A request with its own timeout. */
  public static InteractionRequest of(String kind, RawJson payload, Duration timeout) {
    return new InteractionRequest(kind, payload, Optional.of(timeout), Optional.empty());
  }

  /** This request, made idempotent under {@code key}. */
  public InteractionRequest withIdempotencyKey(String key) {
    return new InteractionRequest(
        kind, payload, timeout, Optional.of(key), answerSchema, delivery, approvalsRequired, answerers);
  }

  /**
   * This request, with answers that must fit {@code schema}: the subset of JSON Schema that MCP elicitation allows (see
   * {@code docs/PROTOCOL.md}).
   */
  public InteractionRequest withAnswerSchema(RawJson schema) {
    return new InteractionRequest(
        kind, payload, timeout, idempotencyKey, Optional.of(schema), delivery, approvalsRequired, answerers);
  }

  /** This request, with its own {@link DeliveryTerms}. */
  public InteractionRequest withDelivery(DeliveryTerms terms) {
    return new InteractionRequest(
        kind, payload, timeout, idempotencyKey, answerSchema, terms, approvalsRequired, answerers);
  }

  /**
   * This request, completed as answered only once {@code required} distinct answerers (token subjects; connections with
   * auth off) have answered it; any rejection rejects it at once.
   */
  public InteractionRequest withApprovals(int required) {
    return new InteractionRequest(kind, payload, timeout, idempotencyKey, answerSchema, delivery, required, answerers);
  }

  /**
   * This request, answered only by {@code who}: an answer from any other device is refused as {@code forbidden}, and
   * those devices see it read-only or not at all.
   */
  public InteractionRequest withAnswerers(Answerers who) {
    return new InteractionRequest(kind, payload, timeout, idempotencyKey, answerSchema, delivery, approvalsRequired, who);
  }

  /**
   * Checks the request against the configured limits and returns the timeout that applies.
   *
   * @throws InvalidInputException naming the field that is out of bounds
   */
  public Duration validate(OrchestratorSettings settings) {
    idempotencyKey.ifPresent(key -> Identifiers.require("idempotencyKey", key));
    if (kind == null || kind.isBlank()) {
      throw new InvalidInputException("kind", "is required");
    }
    if (kind.length() > settings.maxKindLength()) {
      throw new InvalidInputException("kind", "is longer than " + settings.maxKindLength() + " characters");
    }
    withinLimit("payload", payload, settings);
    answerSchema.ifPresent(
        schema -> {
          withinLimit("answerSchema", schema, settings);
          AnswerSchemaSubset.check(schema.tree());
        });
    StandardKind.named(kind).ifPresent(standard -> standard.check(payload.tree(), answerSchema.isPresent()));
    Duration effective = timeout.orElse(settings.defaultTimeout());
    if (effective.compareTo(settings.minTimeout()) < 0 || effective.compareTo(settings.maxTimeout()) > 0) {
      throw new InvalidInputException(
          "timeoutMs",
          "must be between " + settings.minTimeout().toMillis() + " and " + settings.maxTimeout().toMillis() + " ms");
    }
    delivery.validate(effective, settings);
    if (approvalsRequired < 1 || approvalsRequired > settings.maxApprovals()) {
      throw new InvalidInputException("approvals/required", "must be between 1 and " + settings.maxApprovals());
    }
    answerers.validate();
    return effective;
  }

  private static void withinLimit(String field, RawJson json, OrchestratorSettings settings) {
    int size = json.utf8Length();
    if (size > settings.maxPayloadBytes()) {
      throw new InvalidInputException(
          field, "is " + size + " bytes, over the limit of " + settings.maxPayloadBytes() + " bytes");
    }
  }
}
