package dev.interactions.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * JSON encoding and decoding of the wire types. Decoding never throws anything but {@link InvalidInputException}, which
 * names the field at fault, so transports can turn any bad input into a {@code bad_message} error without guessing.
 */
public final class WireCodec {

  private static final String WHOLE_MESSAGE = "(message)";

  /** Where Jackson says a limit comes from: ", from `StreamReadConstraints.getMaxNestingDepth()`". */
  private static final Pattern LIMIT_SOURCE = Pattern.compile(", from `[^`]*`");

  /** Where an unclosed object or array began, quoting the whole input behind a Java type: "[Source: (String)…". */
  private static final Pattern START_MARKER =
      Pattern.compile(" \\(start marker at \\[Source: .*; line: (\\d+), column: (\\d+)\\]\\)", Pattern.DOTALL);

  /** Anything left that looks like a reference to code: a quoted type, a package, a nested class. */
  private static final Pattern CLASS_MARKER = Pattern.compile("`|\\bjava\\.|\\bdev\\.interactions|\\w\\$\\w");

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          // Payloads and answers are opaque: a decimal must come back digit for digit, not rounded to a double.
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
          // An id is a string; {"id":5} or {"id":true} is a client bug to report, not to paper over.
          .withCoercionConfig(
              LogicalType.Textual,
              config ->
                  config
                      .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                      .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                      .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
          // Likewise a whole number is a JSON integer: not "1000", "", 1000.5, 1e3 (or even 1000.0) or true.
          .withCoercionConfig(
              LogicalType.Integer,
              config ->
                  config
                      .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                      .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                      .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                      .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
          .build();

  private WireCodec() {}

  /** The shared, thread-safe mapper configured for the wire contract. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Encodes a server message as one line of JSON. */
  public static String encode(ServerMessage message) {
    return write(message);
  }

  /** Encodes any wire value (HTTP bodies included) as JSON. */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      // Our own types always serialise; anything else is a programming error.
      throw new IllegalStateException("cannot encode " + value.getClass().getName(), e);
    }
  }

  /** The {@code type} a server message carries on the wire, e.g. {@code "interaction"}. */
  public static String typeName(ServerMessage message) {
    if (message instanceof ServerMessage.Welcome) {
      return "welcome";
    } else if (message instanceof ServerMessage.Interaction) {
      return "interaction";
    } else if (message instanceof ServerMessage.Synced) {
      return "synced";
    } else if (message instanceof ServerMessage.Closed) {
      return "closed";
    } else if (message instanceof ServerMessage.Ack) {
      return "ack";
    } else if (message instanceof ServerMessage.Error) {
      return "error";
    } else if (message instanceof ServerMessage.Shown) {
      return "shown";
    } else if (message instanceof ServerMessage.Extended) {
      return "extended";
    } else if (message instanceof ServerMessage.Progress) {
      return "progress";
    } else if (message instanceof ServerMessage.Pong) {
      return "pong";
    }
    throw new IllegalArgumentException("no wire type for " + message.getClass().getName());
  }

  /** Decodes a client message. */
  public static ClientMessage decodeClient(String json) {
    // Jackson reads a top-level array such as ["ping",{}] as a wrapper-array type id; the wire has objects only.
    if (json != null && !json.isBlank() && json.charAt(firstNonWhitespace(json)) != '{') {
      throw new InvalidInputException(WHOLE_MESSAGE, "must be a JSON object");
    }
    return read(json, ClientMessage.class);
  }

  private static int firstNonWhitespace(String json) {
    int i = 0;
    while (i < json.length() && Character.isWhitespace(json.charAt(i))) {
      i++;
    }
    return i;
  }

  /** Decodes {@code json} as {@code type}, turning every failure into an {@link InvalidInputException}. */
  public static <T> T read(String json, Class<T> type) {
    if (json == null || json.isBlank()) {
      throw new InvalidInputException(WHOLE_MESSAGE, "is empty");
    }
    try {
      T value = MAPPER.readValue(json, type);
      if (value == null) {
        throw new InvalidInputException(WHOLE_MESSAGE, "must be a JSON object");
      }
      return value;
    } catch (InvalidTypeIdException e) {
      String id = e.getTypeId();
      throw new InvalidInputException("type", id == null ? "is required" : "unknown type '" + id + "'");
    } catch (UnrecognizedPropertyException e) {
      throw new InvalidInputException(e.getPropertyName(), "unknown field");
    } catch (JsonMappingException e) {
      throw fromMapping(e);
    } catch (JsonProcessingException e) {
      throw new InvalidInputException(WHOLE_MESSAGE, malformed(e));
    }
  }

  static RawJson parseRaw(String field, String json) {
    if (json == null) {
      throw new InvalidInputException(field, "is required");
    }
    try {
      JsonNode node = MAPPER.readTree(json);
      if (node == null || node.isMissingNode()) {
        throw new InvalidInputException(field, "is not a JSON value");
      }
      return RawJson.of(node);
    } catch (JsonProcessingException e) {
      throw new InvalidInputException(field, malformed(e));
    }
  }

  private static InvalidInputException fromMapping(JsonMappingException e) {
    if (e.getCause() instanceof InvalidInputException invalid) {
      return invalid;
    }
    String field =
        e.getPath().stream()
            .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
            .collect(Collectors.joining("."));
    return new InvalidInputException(field.isEmpty() ? WHOLE_MESSAGE : field, problem(e));
  }

  /**
   * What is wrong with a value Jackson could not bind, in the client's terms. Jackson's own messages name our Java
   * classes ({@code `java.lang.Long`}, {@code `dev.interactions.protocol.HttpBodies$CreateInteraction`}), which mean
   * nothing to a client and tell an outsider how we are built.
   */
  private static String problem(JsonMappingException e) {
    if (e.getCause() instanceof JsonProcessingException cause) {
      // The input broke a parser rule or limit inside a field (e.g. a payload nested too deeply).
      return malformed(cause);
    }
    if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
      Class<?> type = mismatch.getTargetType();
      if (type == Long.class || type == long.class || type == Integer.class || type == int.class) {
        return "must be a whole number";
      }
      if (type == String.class) {
        return "must be a string";
      }
      if (type.isRecord() || type.isInterface()) {
        return "must be a JSON object";
      }
    }
    return "is invalid";
  }

  /** {@code malformed JSON: …} with Jackson's description of the syntax error, minus its references to our code. */
  private static String malformed(JsonProcessingException e) {
    if (e instanceof InputCoercionException) {
      return "is out of range"; // a number too large for its field: only the field can say which range
    }
    String original = e.getOriginalMessage();
    if (original == null) {
      return "malformed JSON";
    }
    String description =
        LIMIT_SOURCE.matcher(START_MARKER.matcher(original).replaceAll(" (opened at line $1, column $2)")).replaceAll("");
    return CLASS_MARKER.matcher(description).find()
        ? "malformed JSON"
        : "malformed JSON: " + description;
  }
}
