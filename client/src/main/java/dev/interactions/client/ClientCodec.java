package dev.interactions.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interactions.protocol.RawJson;
import dev.interactions.protocol.WireCodec;

/**
 * The client's JSON: the protocol's own mapper ({@link WireCodec}), made lenient in what it reads. The server refuses
 * unknown fields so that typos do not go unnoticed, but a client must ignore the fields, frame types and codes that
 * later servers add ({@code docs/PROTOCOL.md}, "Compatibility"). Absent values are left out of what it writes.
 */
final class ClientCodec {

  private static final ObjectMapper MAPPER =
      WireCodec.mapper()
          .copy()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          // An unknown frame type reads as null, and is skipped; an unknown outcome or code reads as null.
          .disable(DeserializationFeature.FAIL_ON_INVALID_SUBTYPE)
          .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
          .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);

  private ClientCodec() {}

  /** {@code value} as JSON text. */
  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Any value Jackson can write (a {@link JsonNode}, a map, a record, …) as a JSON value; null is JSON's null. */
  static RawJson json(Object value) {
    if (value == null) {
      return RawJson.NULL;
    }
    if (value instanceof RawJson raw) {
      return raw;
    }
    return RawJson.of(value instanceof JsonNode node ? node : MAPPER.valueToTree(value));
  }

  /**
   * {@code json} read as {@code type}.
   *
   * @throws IllegalArgumentException if it is not JSON of that shape
   */
  static <T> T read(String json, Class<T> type) {
    try {
      T value = MAPPER.readValue(json, type);
      if (value == null) {
        throw new IllegalArgumentException("expected " + type.getSimpleName() + ", got " + json);
      }
      return value;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
    }
  }
}
