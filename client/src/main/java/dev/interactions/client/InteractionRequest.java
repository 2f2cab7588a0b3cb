package dev.interactions.client;

import dev.interactions.protocol.HttpBodies;
import dev.interactions.protocol.RawJson;
import dev.interactions.protocol.WhenNoDevice;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * What to ask a session's person: a {@code kind} and a payload, and optionally how long to wait and how ({@code
 * docs/PROTOCOL.md}, "Create"). Limits (a timeout's range, a payload's size, a standard kind's payload) are the
 * server's to check: it refuses what does not fit with a {@link RefusedException} naming the field.
 *
 * <pre>{@code
 * InteractionRequest.of("tool-approval", Map.of("tool", "git push"));
 * InteractionRequest.builder("confirm", Map.of("message", "Deploy?")).timeout(Duration.ofMinutes(2)).build();
 * }</pre>
 */
public final class InteractionRequest {

  /** The create body as the builder left it; the idempotency key is the builder's, or null to generate one per call. */
  private final HttpBodies.CreateInteraction template;

  private InteractionRequest(HttpBodies.CreateInteraction template) {
    this.template = template;
  }

  /** A request with the server's defaults; see {@link #builder}. */
  public static InteractionRequest of(String kind, Object payload) {
    return builder(kind, payload).build();
  }

  /**
   * A request of {@code kind} (e.g. {@code "confirm"}, or a kind of your own) with {@code payload}: anything Jackson
   * writes as JSON (a map, a record, a {@code JsonNode}, a {@link RawJson}); null for none.
   */
  public static Builder builder(String kind, Object payload) {
    return new Builder(kind, payload);
  }

  /** The key set with {@link Builder#idempotencyKey}, or null. */
  String idempotencyKey() {
    return template.idempotencyKey();
  }

  /** The create body, with {@code key} as its idempotency key. */
  HttpBodies.CreateInteraction body(String key) {
    return new HttpBodies.CreateInteraction(
        template.kind(),
        template.payload(),
        template.timeoutMs(),
        key,
        template.answerSchema(),
        template.deliveryTimeoutMs(),
        template.maxTimeoutMs(),
        template.whenNoDevice(),
        template.approvals(),
        template.answerers(),
        template.visibility(),
        template.allowSelfAnswer());
  }

  /** Sets what a request asks beyond its kind and payload; every setting is optional. */
  public static final class Builder {

    private final String kind;
    private final RawJson payload;
    private Duration timeout;
    private Duration deliveryTimeout;
    private Duration maxTimeout;
    private RawJson answerSchema;
    private Integer approvals;
    private WhenNoDevice whenNoDevice;
    private String idempotencyKey;
    private HttpBodies.Answerers answerers;
    private String visibility;
    private Boolean allowSelfAnswer;

    private Builder(String kind, Object payload) {
      this.kind = Objects.requireNonNull(kind, "kind");
      this.payload = ClientCodec.json(payload);
    }

    /** How long it may stay pending before it ends as {@code expired} (the server's default otherwise, 5 min). */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** It ends as {@code undelivered} unless a device reports it shown within {@code deliveryTimeout}. */
    public Builder deliveryTimeout(Duration deliveryTimeout) {
      this.deliveryTimeout = deliveryTimeout;
      return this;
    }

    /** How far from the request devices may {@code extend} its deadline (by default not at all). */
    public Builder maxTimeout(Duration maxTimeout) {
      this.maxTimeout = maxTimeout;
      return this;
    }

    /** The answer schema every answer must fit (required for kind {@code form}); any value Jackson writes as JSON. */
    public Builder answerSchema(Object answerSchema) {
      this.answerSchema = ClientCodec.json(answerSchema);
      return this;
    }

    /** It is answered only once {@code required} distinct answerers answered it; any rejection vetoes it. */
    public Builder approvals(int required) {
      this.approvals = required;
      return this;
    }

    /** What it does while no device is connected (the server's default otherwise, {@link WhenNoDevice#WAIT}). */
    public Builder whenNoDevice(WhenNoDevice whenNoDevice) {
      this.whenNoDevice = whenNoDevice;
      return this;
    }

    /**
     * Only devices whose token's subject is one of {@code subjects}, or that hold one of {@code roles}, may answer it
     * (needs a server with auth on); the others see it read-only unless {@link #visibleToAnswerersOnly}.
     */
    public Builder answerers(Collection<String> subjects, Collection<String> roles) {
      this.answerers = new HttpBodies.Answerers(List.copyOf(subjects), List.copyOf(roles));
      return this;
    }

    /** Devices that may not answer it are not sent it at all (instead of read-only). */
    public Builder visibleToAnswerersOnly() {
      this.visibility = "answerers";
      return this;
    }

    /** With {@code false}, the requester's own token subject may not answer it (needs a server with auth on). */
    public Builder allowSelfAnswer(boolean allowed) {
      this.allowSelfAnswer = allowed;
      return this;
    }

    /**
     * The idempotency key to create it with. Without one, each create call generates a key of its own and sends it with
     * every retry of that call; set one to make separate calls (a restarted process asking again) name the same
     * interaction.
     */
    public Builder idempotencyKey(String idempotencyKey) {
      this.idempotencyKey = idempotencyKey;
      return this;
    }

    /**
     * The request.
     *
     * @throws dev.interactions.protocol.InvalidInputException if a duration is not positive, naming its wire field
     */
    public InteractionRequest build() {
      return new InteractionRequest(
          new HttpBodies.CreateInteraction(
              kind,
              payload,
              millis(timeout),
              idempotencyKey,
              answerSchema,
              millis(deliveryTimeout),
              millis(maxTimeout),
              whenNoDevice == null ? null : whenNoDevice.wireName(),
              approvals == null ? null : new HttpBodies.Approvals(approvals),
              answerers,
              visibility,
              allowSelfAnswer));
    }

    private static Long millis(Duration duration) {
      return duration == null ? null : duration.toMillis();
    }
  }
}
