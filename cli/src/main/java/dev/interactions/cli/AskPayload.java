package dev.interactions.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interactions.protocol.WireCodec;

/**
 * The payload {@code ask} sends, from its message argument and {@code --payload}. The standard kinds ({@code confirm},
 * {@code choice}, {@code multi_choice}, {@code text}, {@code form}) show the payload's {@code message}; {@code --payload}
 * gives the whole payload (a {@code choice}'s options, a kind of your own), and a message given beside it becomes its
 * {@code message}.
 */
final class AskPayload {

  private AskPayload() {}

  /**
   * The payload, or null for none.
   *
   * @param message the message argument, or null
   * @param payload the JSON text of {@code --payload}, or null
   * @throws IllegalArgumentException saying how the two do not fit together
   */
  static JsonNode of(String message, String payload) {
    if (payload == null) {
      return message == null ? null : JsonNodeFactory.instance.objectNode().put("message", message);
    }
    JsonNode given = parse(payload);
    if (message == null) {
      return given;
    }
    if (!(given instanceof ObjectNode object)) {
      throw new IllegalArgumentException("a message needs --payload to be a JSON object, to be its \"message\"");
    }
    if (object.has("message")) {
      throw new IllegalArgumentException("--payload has a \"message\" already: give the message once");
    }
    return object.deepCopy().put("message", message);
  }

  private static JsonNode parse(String payload) {
    try {
      JsonNode tree = WireCodec.mapper().readTree(payload);
      if (tree == null || tree.isMissingNode()) {
        throw new IllegalArgumentException("--payload is empty: give JSON, e.g. '{\"message\":\"Deploy?\"}'");
      }
      return tree;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("--payload is not JSON: " + e.getOriginalMessage());
    }
  }
}
