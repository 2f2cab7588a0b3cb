package dev.interactions.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonGeneratorImpl;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Any JSON value (object, array, string, number, boolean or null), kept as its compact text.
 *
 * <p>Payloads and answers are opaque to the orchestrator: keeping them as text rather than as a tree costs a fraction of
 * the memory per pending interaction, and they are written to the wire as they are.
 */
@JsonSerialize(using = RawJson.Writer.class)
@JsonDeserialize(using = RawJson.Reader.class)
public record RawJson(String text) {

  /** The JSON {@code null}. */
  public static final RawJson NULL = new RawJson("null");

  public RawJson {
    Objects.requireNonNull(text, "text");
  }

  /**
   * Parses and normalises JSON text.
   *
   * @throws InvalidInputException naming {@code field} if it is not one well-formed JSON value
   */
  public static RawJson parse(String field, String json) {
    return WireCodec.parseRaw(field, json);
  }

  /** Wraps a Jackson tree. */
  public static RawJson of(JsonNode node) {
    return new RawJson(node == null ? "null" : node.toString());
  }

  /** The value as a Jackson tree, parsed again from its text (the text is what is kept). */
  public JsonNode tree() {
    try {
      return WireCodec.mapper().readTree(text);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("a RawJson that is not JSON", e);
    }
  }

  /** Size of the UTF-8 encoding, the unit in which payload limits are expressed. */
  public int utf8Length() {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  @Override
  public String toString() {
    return text;
  }

  static final class Writer extends JsonSerializer<RawJson> {
    @Override
    public void serialize(RawJson value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
      if (gen instanceof JsonGeneratorImpl) {
        gen.writeRawValue(value.text());
      } else {
        // A binary format (CBOR between cluster nodes) has no raw text: the value goes as the tree it stands for.
        serializers.defaultSerializeValue(WireCodec.mapper().readTree(value.text()), gen);
      }
    }
  }

  static final class Reader extends JsonDeserializer<RawJson> {
    @Override
    public RawJson deserialize(JsonParser parser, DeserializationContext context) throws IOException {
      // The context's readTree, not parser.readValueAsTree(): the latter goes through ObjectMapper.readTree, which
      // applies FAIL_ON_TRAILING_TOKENS to the rest of the enclosing message and so refuses every embedded value.
      return of(context.readTree(parser));
    }

    @Override
    public RawJson getNullValue(DeserializationContext context) {
      return NULL;
    }
  }
}
