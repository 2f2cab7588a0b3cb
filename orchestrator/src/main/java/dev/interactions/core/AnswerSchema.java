package dev.interactions.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import dev.interactions.protocol.AnswerProblem;
import dev.interactions.protocol.RawJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What an interaction's answers must fit: the request's own {@code answerSchema}, or the schema its {@link
 * StandardKind} implies. Compiled once per interaction (by the session, when the first answer comes), never per answer;
 * validated with networknt's JSON Schema validator, formats asserted.
 */
final class AnswerSchema {

  /** How long one {@code pattern} may take on one answer (see {@link BoundedRegularExpressions}). */
  static final java.time.Duration PATTERN_BOUND = java.time.Duration.ofMillis(50);
  /** The problems an answer is told at most: enough to fix a form, bounded whatever the answer. */
  static final int MAX_PROBLEMS = 20;

  /**
   * Stateless between schemas: its cache is off, so that no compiled schema outlives its interaction, and nothing is
   * ever loaded from elsewhere (a request's {@code $schema} is dropped before compiling; see {@link #compile}).
   */
  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(
          SpecificationVersion.DRAFT_2020_12,
          builder ->
              builder
                  .schemaCacheEnabled(false)
                  .schemaRegistryConfig(
                      SchemaRegistryConfig.builder()
                          .formatAssertionsEnabled(true)
                          .regularExpressionFactory(new BoundedRegularExpressions(PATTERN_BOUND))
                          .pathType(PathType.JSON_POINTER)
                          .build()));

  private final Schema schema;

  private AnswerSchema(Schema schema) {
    this.schema = schema;
  }

  /**
   * The schema the answers of {@code requested} must fit, or empty if they are free (a kind of the requester's own
   * without a schema, or a standard kind recorded before its payload was checked).
   */
  static Optional<AnswerSchema> of(SessionEvent.Requested requested) {
    if (requested.answerSchema() != null) {
      return Optional.of(compile(requested.answerSchema().tree()));
    }
    Optional<StandardKind> standard = StandardKind.named(requested.kind());
    if (standard.isEmpty() || standard.get() == StandardKind.FORM) {
      return Optional.empty();
    }
    JsonNode payload = requested.payload().tree();
    try {
      standard.get().check(payload, false);
    } catch (IllegalArgumentException recordedBeforeKindsWereChecked) {
      return Optional.empty();
    }
    return Optional.of(compile(standard.get().impliedSchema(payload)));
  }

  /** Each way {@code answer} does not fit (the first {@link #MAX_PROBLEMS}), in the validator's order; empty if it fits. */
  List<AnswerProblem> problems(RawJson answer) {
    List<Error> errors = schema.validate(answer.tree());
    List<AnswerProblem> problems = new ArrayList<>(Math.min(errors.size(), MAX_PROBLEMS));
    for (Error error : errors.subList(0, Math.min(errors.size(), MAX_PROBLEMS))) {
      problems.add(new AnswerProblem(error.getInstanceLocation().toString(), error.getMessage()));
    }
    return problems;
  }

  private static AnswerSchema compile(JsonNode schema) {
    ObjectNode local = schema.deepCopy();
    local.remove("$schema");
    return new AnswerSchema(REGISTRY.getSchema(local));
  }
}
