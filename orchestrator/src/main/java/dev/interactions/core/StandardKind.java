package dev.interactions.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interactions.protocol.InvalidInputException;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The kinds every client renders, each with the payload it takes and the answer it implies (see {@code
 * docs/PROTOCOL.md}, "Standard kinds"). Any other kind is the requester's own: its payload and answer are free JSON, as
 * before. Plain Java: the request's checks run at the front door, the implied schema where the answer is checked.
 */
public enum StandardKind {
  /** A yes or no: answered {@code {"confirmed": true|false, "reason"?: string}}. */
  CONFIRM("confirm"),
  /** One of {@code options}: answered {@code {"value": …}}, one of the options' values. */
  CHOICE("choice"),
  /** Some of {@code options}, between {@code minItems} and {@code maxItems}: answered {@code {"values": [...]}}. */
  MULTI_CHOICE("multi_choice"),
  /** Free text, at most {@code maxLength} characters: answered {@code {"text": …}}. */
  TEXT("text"),
  /** The object the request's {@code answerSchema} describes (required for this kind). */
  FORM("form");

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final String wireName;

  StandardKind(String wireName) {
    this.wireName = wireName;
  }

  /** The kind's name on the wire. */
  public String wireName() {
    return wireName;
  }

  /** {@code kind} as a metric may name it: a standard kind's name, or {@code other} for every kind of a requester's own. */
  public static String metricLabel(String kind) {
    return named(kind).map(StandardKind::wireName).orElse("other");
  }

  /** The standard kind named {@code kind}, or empty for a requester's own kind. */
  public static Optional<StandardKind> named(String kind) {
    for (StandardKind standard : values()) {
      if (standard.wireName.equals(kind)) {
        return Optional.of(standard);
      }
    }
    return Optional.empty();
  }

  /**
   * Checks a request of this kind: its payload has this kind's fields, with their types, and an answer schema is given
   * exactly when the kind needs one (the others imply theirs).
   *
   * @throws InvalidInputException naming the field at fault as a path into the request body ({@code payload/options/1})
   */
  public void check(JsonNode payload, boolean hasAnswerSchema) {
    if (!payload.isObject()) {
      throw new InvalidInputException("payload", "must be an object for kind " + wireName);
    }
    text(payload, "message", true);
    if (this == FORM) {
      if (!hasAnswerSchema) {
        throw new InvalidInputException("answerSchema", "is required for kind form");
      }
      return;
    }
    if (hasAnswerSchema) {
      throw new InvalidInputException(
          "answerSchema", "kind " + wireName + " implies its answer schema; send one only with kind form or a kind of your own");
    }
    switch (this) {
      case CONFIRM -> {
        text(payload, "confirmLabel", false);
        text(payload, "rejectLabel", false);
      }
      case CHOICE -> options(payload);
      case MULTI_CHOICE -> {
        int options = options(payload);
        int min = count(payload, "minItems", 0, options);
        int max = count(payload, "maxItems", 1, options);
        if (payload.has("minItems") && payload.has("maxItems") && min > max) {
          throw new InvalidInputException("payload/minItems", "must not be greater than maxItems");
        }
      }
      case TEXT -> {
        text(payload, "placeholder", false);
        if (payload.has("multiline") && !payload.get("multiline").isBoolean()) {
          throw new InvalidInputException("payload/multiline", "must be a boolean");
        }
        count(payload, "maxLength", 1, Integer.MAX_VALUE);
      }
      default -> throw new IllegalStateException("unhandled kind " + this);
    }
  }

  /** The answer schema this kind implies for {@code payload} (checked before); not called for {@link #FORM}. */
  JsonNode impliedSchema(JsonNode payload) {
    ObjectNode properties = JSON.objectNode();
    ArrayNode required = JSON.arrayNode();
    switch (this) {
      case CONFIRM -> {
        properties.set("confirmed", JSON.objectNode().put("type", "boolean"));
        properties.set("reason", JSON.objectNode().put("type", "string"));
        required.add("confirmed");
      }
      case CHOICE -> {
        properties.set("value", JSON.objectNode().set("enum", values(payload)));
        required.add("value");
      }
      case MULTI_CHOICE -> {
        ObjectNode values =
            JSON.objectNode().put("type", "array").put("uniqueItems", true);
        values.set("items", JSON.objectNode().set("enum", values(payload)));
        if (payload.has("minItems")) {
          values.put("minItems", payload.get("minItems").intValue());
        }
        if (payload.has("maxItems")) {
          values.put("maxItems", payload.get("maxItems").intValue());
        }
        properties.set("values", values);
        required.add("values");
      }
      case TEXT -> {
        ObjectNode text = JSON.objectNode().put("type", "string");
        if (payload.has("maxLength")) {
          text.put("maxLength", payload.get("maxLength").intValue());
        }
        properties.set("text", text);
        required.add("text");
      }
      default -> throw new IllegalStateException("kind " + wireName + " implies no schema");
    }
    ObjectNode schema = JSON.objectNode().put("type", "object");
    schema.set("properties", properties);
    schema.set("required", required);
    return schema;
  }

  private static ArrayNode values(JsonNode payload) {
    ArrayNode values = JSON.arrayNode();
    payload.get("options").forEach(option -> values.add(option.get("value")));
    return values;
  }

  private static void text(JsonNode payload, String field, boolean required) {
    JsonNode value = payload.get(field);
    if (value == null) {
      if (required) {
        throw new InvalidInputException("payload/" + field, "is required");
      }
    } else if (!value.isTextual()) {
      throw new InvalidInputException("payload/" + field, "must be a string");
    }
  }

  /** Checks {@code options}: a non-empty array of {@code {value, title}} with distinct values; returns how many. */
  private static int options(JsonNode payload) {
    JsonNode options = payload.get("options");
    if (options == null || !options.isArray() || options.isEmpty()) {
      throw new InvalidInputException("payload/options", "must be a non-empty array of {value, title}");
    }
    Set<JsonNode> seen = new HashSet<>();
    for (int i = 0; i < options.size(); i++) {
      JsonNode option = options.get(i);
      String at = "payload/options/" + i;
      if (!option.isObject()) {
        throw new InvalidInputException(at, "must be an object {value, title}");
      }
      JsonNode value = option.get("value");
      if (value == null || !(value.isTextual() || value.isNumber() || value.isBoolean())) {
        throw new InvalidInputException(at + "/value", "must be a string, a number or a boolean");
      }
      if (!seen.add(value)) {
        throw new InvalidInputException(at + "/value", "repeats the value of an earlier option");
      }
      JsonNode title = option.get("title");
      if (title == null || !title.isTextual()) {
        throw new InvalidInputException(at + "/title", "must be a string");
      }
    }
    return options.size();
  }

  /** An optional whole number between {@code min} and {@code max}; returns it, or {@code min} when absent. */
  private static int count(JsonNode payload, String field, int min, int max) {
    JsonNode value = payload.get(field);
    if (value == null) {
      return min;
    }
    if (!value.canConvertToExactIntegral() || !value.canConvertToInt() || value.intValue() < min || value.intValue() > max) {
      throw new InvalidInputException("payload/" + field, "must be a whole number between " + min + " and " + max);
    }
    return value.intValue();
  }
}
