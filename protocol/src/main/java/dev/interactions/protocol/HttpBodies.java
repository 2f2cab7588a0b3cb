package dev.interactions.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The JSON bodies of the HTTP API (requests and responses); see {@code docs/PROTOCOL.md}. */
public final class HttpBodies {

  private HttpBodies() {}

  /**
   * {@code POST /v1/sessions/{sessionId}/interactions}; {@code answerSchema} is null when absent (or JSON {@code
   * null}); {@code answerers}, {@code visibility} and {@code allowSelfAnswer} say who may answer it (null: anyone).
   */
  public record CreateInteraction(
      String kind,
      RawJson payload,
      Long timeoutMs,
      String idempotencyKey,
      RawJson answerSchema,
      Long deliveryTimeoutMs,
      Long maxTimeoutMs,
      String whenNoDevice,
      Approvals approvals,
      Answerers answerers,
      String visibility,
      Boolean allowSelfAnswer) {
    public CreateInteraction {
      if (payload == null) {
        payload = RawJson.NULL;
      }
      positive("deliveryTimeoutMs", deliveryTimeoutMs);
      positive("maxTimeoutMs", maxTimeoutMs);
      if (RawJson.NULL.equals(answerSchema)) {
        answerSchema = null;
      }
      if (timeoutMs != null && timeoutMs <= 0) {
        throw new InvalidInputException("timeoutMs", "must be positive");
      }
    }
  }

  /**
   * {@code POST /v1/sessions/{sessionId}/elicitations}: MCP's form-mode {@code ElicitRequestParams} ({@code mode},
   * {@code message}, {@code requestedSchema}, {@code _meta}, which is accepted and not used) plus our {@code timeoutMs}
   * and {@code idempotencyKey}.
   */
  public record Elicit(
      String mode,
      String message,
      RawJson requestedSchema,
      Long timeoutMs,
      String idempotencyKey,
      @JsonProperty("_meta") RawJson meta) {
    public Elicit {
      if (mode != null && !mode.equals("form")) {
        throw new InvalidInputException("mode", "only \"form\" is supported");
      }
      if (message == null) {
        throw new InvalidInputException("message", "is required");
      }
      if (requestedSchema == null || RawJson.NULL.equals(requestedSchema)) {
        throw new InvalidInputException("requestedSchema", "is required");
      }
      if (timeoutMs != null && timeoutMs <= 0) {
        throw new InvalidInputException("timeoutMs", "must be positive");
      }
    }
  }

  /**
   * MCP's {@code ElicitResult}: {@code action} {@code accept} (with the answer as {@code content}), {@code decline} or
   * {@code cancel}; {@code _meta} names the interaction and how it ended.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ElicitResult(String action, RawJson content, @JsonProperty("_meta") Map<String, String> meta) {}

  /** A create's {@code approvals}: how many distinct answerers must approve (answer) it. */
  public record Approvals(Integer required) {
    public Approvals {
      if (required == null) {
        throw new InvalidInputException("approvals/required", "is required");
      }
    }
  }

  /** A create's {@code answerers}: the token subjects and roles that may answer it (either may be absent). */
  public record Answerers(List<String> subjects, List<String> roles) {
    public Answerers {
      subjects = names("answerers/subjects", subjects);
      roles = names("answerers/roles", roles);
      if (subjects.isEmpty() && roles.isEmpty()) {
        throw new InvalidInputException("answerers", "must name at least one subject or role");
      }
    }

    private static List<String> names(String field, List<String> names) {
      if (names == null) {
        return List.of();
      }
      if (names.contains(null)) {
        throw new InvalidInputException(field, "must be an array of strings");
      }
      return List.copyOf(names);
    }
  }

  /** {@code POST …/interactions/{id}/answer}; {@code connectionId} optionally names the SSE connection answering. */
  public record Answer(RawJson value, String connectionId) {
    public Answer {
      if (value == null) {
        value = RawJson.NULL;
      }
    }
  }

  /** {@code POST …/interactions/{id}/reject}. */
  public record Reject(String reason, String connectionId) {}

  /** {@code POST …/interactions/{id}/shown}: an event-stream device reports the interaction on screen. */
  public record Shown(String connectionId) {}

  /** {@code POST …/interactions/{id}/extend}: someone is working on an answer (see {@code ClientMessage.Extend}). */
  public record Extend(long byMs, String connectionId) {
    public Extend {
      if (byMs <= 0) {
        throw new InvalidInputException("byMs", "must be positive");
      }
    }
  }

  private static void positive(String field, Long millis) {
    if (millis != null && millis <= 0) {
      throw new InvalidInputException(field, "must be positive");
    }
  }

  /** An interaction as a requester reads it; {@code value}, {@code reason} and {@code answeredBy} where they apply. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Interaction(
      String id,
      String sessionId,
      String kind,
      String status,
      Instant requestedAt,
      Instant expiresAt,
      RawJson payload,
      RawJson value,
      String reason,
      String answeredBy,
      String shownBy,
      Instant shownAt,
      Audit audit) {}

  /**
   * {@code GET /v1/sessions/{sessionId}/interactions}: a page of the session's closed interactions, oldest first;
   * {@code next} is the {@code after} cursor of the following page, null on the last page.
   */
  public record History(String sessionId, List<ClosedInteraction> interactions, String next) {}

  /** A closed interaction in the history: what was asked (without its payload), when and how it closed. */
  public record ClosedInteraction(
      String id,
      String kind,
      String status,
      Instant requestedAt,
      Instant expiresAt,
      Instant closedAt,
      RawJson value,
      String reason,
      String answeredBy,
      Audit audit) {}

  /** {@code GET /v1/sessions/{sessionId}}. */
  public record Session(
      String sessionId, List<String> connections, List<ServerMessage.Interaction> pending, String node) {}

  /**
   * Every HTTP error: {@code {"error":{"code":…,"message":…}}}, with {@code errors} for an {@code invalid_answer}.
   */
  public record Error(Detail error) {

    /** The error's code, a readable message, and each problem of an answer that does not fit its schema. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Detail(String code, String message, List<AnswerProblem> errors) {}

    public static Error of(String code, String message) {
      return new Error(new Detail(code, message, null));
    }

    /** An answer that does not fit its schema: {@code invalid_answer} and its problems. */
    public static Error invalidAnswer(String message, List<AnswerProblem> errors) {
      return new Error(new Detail(ErrorCode.INVALID_ANSWER.wireName(), message, errors));
    }
  }

  /** {@code GET /health/live} and {@code /health/ready}. */
  public record Health(String status) {}
}
