package dev.interactions.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interactions.protocol.InvalidInputException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The part of JSON Schema a request's {@code answerSchema} may use: what MCP elicitation's {@code requestedSchema}
 * allows, a flat object of primitive properties, so that every client can render it as a form. Checked at the front
 * door; anything else is refused naming where it is, as a path into the request body ({@code
 * answerSchema/properties/age/minimum}).
 */
final class AnswerSchemaSubset {

  private static final String AT = "answerSchema";
  /** A requester's pattern runs on every answer (JDK regular expressions): kept short. */
  static final int MAX_PATTERN_LENGTH = 512;

  /** The keywords allowed at each place of a schema (constants, not a registry: an enum holds them). */
  private enum Allowed {
    ROOT("$schema", "type", "properties", "required", "title", "description"),
    BOOLEAN("type", "title", "description", "default"),
    STRING("type", "title", "description", "default", "minLength", "maxLength", "pattern", "format", "enum", "oneOf"),
    NUMBER("type", "title", "description", "default", "minimum", "maximum"),
    ARRAY("type", "title", "description", "default", "items", "minItems", "maxItems"),
    ITEMS("type", "enum", "oneOf", "anyOf"),
    TITLED_CONST("const", "title"),
    /** Not keywords: the values {@code format} may take. */
    FORMATS("email", "uri", "date", "date-time");

    private final Set<String> names;

    Allowed(String... names) {
      this.names = Set.of(names);
    }

    boolean has(String name) {
      return names.contains(name);
    }
  }

  private AnswerSchemaSubset() {}

  /**
   * @throws InvalidInputException naming the first place where {@code schema} leaves the subset
   */
  static void check(JsonNode schema) {
    if (!schema.isObject()) {
      throw invalid("", "must be an object schema {\"type\":\"object\",\"properties\":{…}}");
    }
    only(schema, Allowed.ROOT, "");
    if (!"object".equals(schema.path("type").asText(null)) || !schema.get("type").isTextual()) {
      throw invalid("/type", "must be \"object\"");
    }
    if (schema.has("$schema") && !schema.get("$schema").isTextual()) {
      throw invalid("/$schema", "must be a string");
    }
    annotations(schema, "");
    JsonNode properties = schema.get("properties");
    if (properties == null || !properties.isObject()) {
      throw invalid("/properties", "must be an object of properties");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> property = it.next();
      property(property.getValue(), "/properties/" + escape(property.getKey()));
    }
    JsonNode required = schema.get("required");
    if (required != null) {
      if (!required.isArray()) {
        throw invalid("/required", "must be an array of property names");
      }
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < required.size(); i++) {
        JsonNode name = required.get(i);
        if (!name.isTextual() || !properties.has(name.asText())) {
          throw invalid("/required/" + i, "must name one of the properties");
        }
        if (!seen.add(name.asText())) {
          throw invalid("/required/" + i, "repeats " + name.asText());
        }
      }
    }
  }

  private static void property(JsonNode property, String at) {
    if (!property.isObject()) {
      throw invalid(at, "must be an object");
    }
    String type = property.path("type").isTextual() ? property.get("type").asText() : "";
    switch (type) {
      case "string" -> string(property, at);
      case "number", "integer" -> {
        only(property, Allowed.NUMBER, at);
        JsonNode minimum = number(property, "minimum", at);
        JsonNode maximum = number(property, "maximum", at);
        if (minimum != null && maximum != null && minimum.decimalValue().compareTo(maximum.decimalValue()) > 0) {
          throw invalid(at + "/minimum", "must not be greater than maximum");
        }
        defaultOf(property, at, "integer".equals(type) ? "a whole number" : "a number",
            value -> "integer".equals(type) ? value.canConvertToExactIntegral() : value.isNumber());
      }
      case "boolean" -> {
        only(property, Allowed.BOOLEAN, at);
        defaultOf(property, at, "a boolean", JsonNode::isBoolean);
      }
      case "array" -> array(property, at);
      default -> throw invalid(at + "/type", "must be one of string, number, integer, boolean, array");
    }
    annotations(property, at);
  }

  private static void string(JsonNode property, String at) {
    only(property, Allowed.STRING, at);
    countRange(property, "minLength", "maxLength", at);
    JsonNode pattern = property.get("pattern");
    if (pattern != null) {
      if (!pattern.isTextual() || pattern.asText().length() > MAX_PATTERN_LENGTH) {
        throw invalid(at + "/pattern", "must be a regular expression of at most " + MAX_PATTERN_LENGTH + " characters");
      }
      try {
        Pattern.compile(pattern.asText());
      } catch (PatternSyntaxException e) {
        throw invalid(at + "/pattern", "is not a valid regular expression: " + e.getDescription());
      }
    }
    JsonNode format = property.get("format");
    if (format != null && !(format.isTextual() && Allowed.FORMATS.has(format.asText()))) {
      throw invalid(at + "/format", "must be one of email, uri, date, date-time");
    }
    if (property.has("enum") && property.has("oneOf")) {
      throw invalid(at, "has both enum and oneOf; choose one");
    }
    if (property.has("enum")) {
      enumValues(property.get("enum"), at + "/enum");
    }
    if (property.has("oneOf")) {
      titledConsts(property.get("oneOf"), at + "/oneOf");
    }
    defaultOf(property, at, "a string", JsonNode::isTextual);
  }

  private static void array(JsonNode property, String at) {
    only(property, Allowed.ARRAY, at);
    countRange(property, "minItems", "maxItems", at);
    JsonNode items = property.get("items");
    String itemsAt = at + "/items";
    if (items == null || !items.isObject()) {
      throw invalid(itemsAt, "must be {\"type\":\"string\",\"enum\":[…]} or {\"anyOf\":[{\"const\",\"title\"}…]}");
    }
    only(items, Allowed.ITEMS, itemsAt);
    int choices = (items.has("enum") ? 1 : 0) + (items.has("oneOf") ? 1 : 0) + (items.has("anyOf") ? 1 : 0);
    if (choices != 1) {
      throw invalid(itemsAt, "must list its choices in exactly one of enum, oneOf, anyOf");
    }
    if (items.has("type") && !"string".equals(items.get("type").asText(null))) {
      throw invalid(itemsAt + "/type", "must be \"string\"");
    }
    if (items.has("enum")) {
      enumValues(items.get("enum"), itemsAt + "/enum");
    } else {
      String keyword = items.has("oneOf") ? "oneOf" : "anyOf";
      titledConsts(items.get(keyword), itemsAt + "/" + keyword);
    }
    defaultOf(property, at, "an array of strings", value -> {
      if (!value.isArray()) {
        return false;
      }
      for (JsonNode item : value) {
        if (!item.isTextual()) {
          return false;
        }
      }
      return true;
    });
  }

  private static void enumValues(JsonNode values, String at) {
    if (!values.isArray() || values.isEmpty()) {
      throw invalid(at, "must be a non-empty array of strings");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < values.size(); i++) {
      if (!values.get(i).isTextual()) {
        throw invalid(at + "/" + i, "must be a string");
      }
      if (!seen.add(values.get(i).asText())) {
        throw invalid(at + "/" + i, "repeats an earlier value");
      }
    }
  }

  private static void titledConsts(JsonNode options, String at) {
    if (!options.isArray() || options.isEmpty()) {
      throw invalid(at, "must be a non-empty array of {\"const\", \"title\"}");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < options.size(); i++) {
      JsonNode option = options.get(i);
      String optionAt = at + "/" + i;
      if (!option.isObject()) {
        throw invalid(optionAt, "must be an object {\"const\", \"title\"}");
      }
      only(option, Allowed.TITLED_CONST, optionAt);
      if (!option.path("const").isTextual()) {
        throw invalid(optionAt + "/const", "must be a string");
      }
      if (!seen.add(option.get("const").asText())) {
        throw invalid(optionAt + "/const", "repeats an earlier value");
      }
      if (!option.path("title").isTextual()) {
        throw invalid(optionAt + "/title", "must be a string");
      }
    }
  }

  private static void annotations(JsonNode node, String at) {
    for (String text : new String[] {"title", "description"}) {
      if (node.has(text) && !node.get(text).isTextual()) {
        throw invalid(at + "/" + text, "must be a string");
      }
    }
  }

  private static void defaultOf(JsonNode property, String at, String what, java.util.function.Predicate<JsonNode> fits) {
    JsonNode value = property.get("default");
    if (value != null && !fits.test(value)) {
      throw invalid(at + "/default", "must be " + what);
    }
  }

  private static JsonNode number(JsonNode property, String field, String at) {
    JsonNode value = property.get(field);
    if (value != null && !value.isNumber()) {
      throw invalid(at + "/" + field, "must be a number");
    }
    return value;
  }

  /** Two optional counts, {@code min} not above {@code max} when both are given. */
  private static void countRange(JsonNode property, String min, String max, String at) {
    int lowest = count(property, min, at);
    int highest = count(property, max, at);
    if (property.has(min) && property.has(max) && lowest > highest) {
      throw invalid(at + "/" + min, "must not be greater than " + max);
    }
  }

  private static int count(JsonNode property, String field, String at) {
    JsonNode value = property.get(field);
    if (value == null) {
      return 0;
    }
    if (!value.canConvertToExactIntegral() || !value.canConvertToInt() || value.intValue() < 0) {
      throw invalid(at + "/" + field, "must be a whole number, 0 or more");
    }
    return value.intValue();
  }

  private static void only(JsonNode node, Allowed allowed, String at) {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.has(name)) {
        throw invalid(at + "/" + escape(name), "is not part of the answer-schema subset (see docs/PROTOCOL.md)");
      }
    }
  }

  /** A property name as a JSON Pointer token (RFC 6901). */
  private static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }

  private static InvalidInputException invalid(String pointer, String message) {
    return new InvalidInputException(AT + pointer, message);
  }
}
