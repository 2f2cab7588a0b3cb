package dev.interactions.transport;

import dev.interactions.core.InteractionOutcome;
import dev.interactions.core.InteractionRequest;
import dev.interactions.core.InteractionStatus;
import dev.interactions.protocol.HttpBodies;
import dev.interactions.protocol.InvalidInputException;
import dev.interactions.protocol.OutcomeCode;
import dev.interactions.protocol.RawJson;
import dev.interactions.protocol.WireCodec;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * MCP elicitation over our interactions: an MCP host hands a server's form-mode elicitation to the person's devices and
 * gives the result back unchanged. An elicitation is a {@code form} interaction whose answer schema is the
 * {@code requestedSchema}; its outcome maps to MCP's three actions (see {@code docs/PROTOCOL.md}, "MCP elicitation").
 * Plain Java: the route only carries what this decides.
 */
final class Elicitations {

  /** The kind an elicitation is requested as. */
  static final String KIND = "form";
  /** Where {@code _meta} names the interaction behind a result (MCP's reverse-DNS prefix convention). */
  static final String META_INTERACTION = "dev.interactions/interactionId";
  /** Where {@code _meta} names how the interaction ended, finer than the action. */
  static final String META_OUTCOME = "dev.interactions/outcome";

  private Elicitations() {}

  /** The interaction an elicitation asks for: a {@code form} with the message as its payload. */
  static InteractionRequest request(HttpBodies.Elicit elicit) {
    RawJson payload =
        RawJson.of(WireCodec.mapper().createObjectNode().put("message", elicit.message()));
    return new InteractionRequest(
            KIND,
            payload,
            Optional.ofNullable(elicit.timeoutMs()).map(Duration::ofMillis),
            Optional.ofNullable(elicit.idempotencyKey()))
        .withAnswerSchema(elicit.requestedSchema());
  }

  /**
   * The same refusal, naming the field as the elicitation's body spells it: the schema is {@code requestedSchema}, the
   * form's message is {@code message}.
   */
  static InvalidInputException renamed(InvalidInputException invalid) {
    String field = invalid.field();
    String renamed =
        field.startsWith("answerSchema")
            ? "requestedSchema" + field.substring("answerSchema".length())
            : field.equals("payload/message") ? "message" : field;
    return renamed.equals(field) ? invalid : new InvalidInputException(renamed, invalid.problem());
  }

  /**
   * The MCP result of a closed interaction: {@code accept} with its answer as the content, {@code decline} when rejected,
   * {@code cancel} when cancelled, expired, disconnected or shut down.
   */
  static HttpBodies.ElicitResult result(InteractionStatus closed) {
    InteractionOutcome outcome = closed.outcome().orElseThrow();
    Map<String, String> meta =
        Map.of(META_INTERACTION, closed.interaction().id(), META_OUTCOME, outcome.code().wireName());
    if (outcome instanceof InteractionOutcome.Answered answered) {
      return new HttpBodies.ElicitResult("accept", answered.value(), meta);
    }
    return new HttpBodies.ElicitResult(outcome.code() == OutcomeCode.REJECTED ? "decline" : "cancel", null, meta);
  }
}
