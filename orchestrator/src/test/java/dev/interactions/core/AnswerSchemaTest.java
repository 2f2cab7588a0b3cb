package dev.interactions.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.interactions.protocol.AnswerProblem;
import dev.interactions.protocol.InvalidInputException;
import dev.interactions.protocol.RawJson;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Standard kinds, the answer-schema subset, and answers checked against both, without actors. */
class AnswerSchemaTest {

  private static final OrchestratorSettings SETTINGS = OrchestratorSettings.from(ConfigFactory.load());
  private static final Instant NOW = Instant.parse("2026-11-30T00:00:00Z");

  /** A full schema using every keyword of the subset. */
  private static final String EVERY_KEYWORD =
      """
      {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","title":"Sign-up","description":"d",
       "properties":{
         "name":{"type":"string","title":"Name","description":"n","minLength":2,"maxLength":5,"pattern":"^[a-z]+$","default":"ann"},
         "email":{"type":"string","format":"email"},
         "site":{"type":"string","format":"uri"},
         "born":{"type":"string","format":"date"},
         "at":{"type":"string","format":"date-time"},
         "age":{"type":"integer","minimum":18,"maximum":130,"default":30},
         "score":{"type":"number","minimum":0.5,"maximum":9.5},
         "agree":{"type":"boolean","default":false},
         "plan":{"type":"string","enum":["free","pro"]},
         "size":{"type":"string","oneOf":[{"const":"s","title":"Small"},{"const":"l","title":"Large"}]},
         "tags":{"type":"array","minItems":1,"maxItems":2,"items":{"type":"string","enum":["a","b","c"]},"default":["a"]},
         "colors":{"type":"array","items":{"anyOf":[{"const":"red","title":"Red"},{"const":"blue","title":"Blue"}]}}
       },
       "required":["name","age"]}
      """;

  private static RawJson json(String text) {
    return RawJson.parse("test", text);
  }

  private static InvalidInputException refused(String kind, String payload, String schema) {
    InteractionRequest request = InteractionRequest.of(kind, json(payload));
    InteractionRequest withSchema = schema == null ? request : request.withAnswerSchema(json(schema));
    return assertThrows(InvalidInputException.class, () -> withSchema.validate(SETTINGS));
  }

  private static void accepted(String kind, String payload, String schema) {
    InteractionRequest request = InteractionRequest.of(kind, json(payload));
    (schema == null ? request : request.withAnswerSchema(json(schema))).validate(SETTINGS);
  }

  /** The problems of {@code answer} to a request of {@code kind}, as the session finds them. */
  private static List<AnswerProblem> problems(String kind, String payload, String schema, String answer) {
    SessionEvent.Requested requested =
        new SessionEvent.Requested(
            "i1", kind, json(payload), NOW, NOW.plusSeconds(60), null, schema == null ? null : json(schema), null, null, null);
    return AnswerSchema.of(requested).orElseThrow().problems(json(answer));
  }

  private static String pointers(List<AnswerProblem> problems) {
    return problems.stream().map(AnswerProblem::pointer).sorted().collect(Collectors.joining(","));
  }

  @Test
  void eachStandardKindTakesItsPayloadAndRefusesOneThatDoesNotFit() {
    accepted("confirm", "{\"message\":\"Deploy?\",\"confirmLabel\":\"Yes\",\"rejectLabel\":\"No\"}", null);
    accepted("choice", "{\"message\":\"Which?\",\"options\":[{\"value\":\"a\",\"title\":\"A\"},{\"value\":2,\"title\":\"Two\"}]}", null);
    accepted("multi_choice", "{\"message\":\"m\",\"options\":[{\"value\":\"a\",\"title\":\"A\"},{\"value\":\"b\",\"title\":\"B\"}],\"minItems\":1,\"maxItems\":2}", null);
    accepted("text", "{\"message\":\"m\",\"placeholder\":\"p\",\"multiline\":true,\"maxLength\":200}", null);
    accepted("form", "{\"message\":\"m\"}", EVERY_KEYWORD);
    accepted("tool-approval", "[1,2,3]", null); // a kind of the requester's own: free JSON, as before

    assertEquals("payload", refused("confirm", "\"Deploy?\"", null).field());
    assertEquals("payload/message", refused("confirm", "{}", null).field());
    assertEquals("payload/confirmLabel", refused("confirm", "{\"message\":\"m\",\"confirmLabel\":1}", null).field());
    assertEquals("payload/options", refused("choice", "{\"message\":\"m\",\"options\":[]}", null).field());
    assertEquals("payload/options/1/title", refused("choice", "{\"message\":\"m\",\"options\":[{\"value\":\"a\",\"title\":\"A\"},{\"value\":\"b\"}]}", null).field());
    assertEquals("payload/options/1/value", refused("choice", "{\"message\":\"m\",\"options\":[{\"value\":\"a\",\"title\":\"A\"},{\"value\":\"a\",\"title\":\"B\"}]}", null).field());
    assertEquals("payload/options/0/value", refused("choice", "{\"message\":\"m\",\"options\":[{\"value\":null,\"title\":\"A\"}]}", null).field());
    assertEquals("payload/maxItems", refused("multi_choice", "{\"message\":\"m\",\"options\":[{\"value\":\"a\",\"title\":\"A\"}],\"maxItems\":2}", null).field());
    assertEquals("payload/minItems", refused("multi_choice", "{\"message\":\"m\",\"options\":[{\"value\":\"a\",\"title\":\"A\"},{\"value\":\"b\",\"title\":\"B\"}],\"minItems\":2,\"maxItems\":1}", null).field());
    assertEquals("payload/multiline", refused("text", "{\"message\":\"m\",\"multiline\":\"yes\"}", null).field());
    assertEquals("payload/maxLength", refused("text", "{\"message\":\"m\",\"maxLength\":0}", null).field());
    assertEquals("answerSchema", refused("form", "{\"message\":\"m\"}", null).field());
    assertEquals("answerSchema", refused("confirm", "{\"message\":\"m\"}", EVERY_KEYWORD).field());
  }

  @Test
  void aSchemaOutsideTheSubsetIsRefusedNamingItsJsonPointer() {
    String form = "{\"message\":\"m\"}";
    assertEquals("answerSchema", refused("form", form, "[]").field());
    assertEquals("answerSchema/type", refused("form", form, "{\"type\":\"array\",\"properties\":{}}").field());
    assertEquals("answerSchema/properties", refused("form", form, "{\"type\":\"object\"}").field());
    assertEquals("answerSchema/$ref", refused("form", form, "{\"type\":\"object\",\"properties\":{},\"$ref\":\"http://x\"}").field());
    assertEquals(
        "answerSchema/properties/a~1b/type",
        refused("form", form, "{\"type\":\"object\",\"properties\":{\"a/b\":{\"type\":\"object\"}}}").field());
    assertEquals(
        "answerSchema/properties/n/minLength",
        refused("form", form, "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"string\",\"minLength\":-1}}}").field());
    assertEquals(
        "answerSchema/properties/n/minLength",
        refused("form", form, "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"string\",\"minLength\":3,\"maxLength\":2}}}").field());
    assertEquals(
        "answerSchema/properties/n/pattern",
        refused("form", form, "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"string\",\"pattern\":\"(\"}}}").field());
    assertEquals(
        "answerSchema/properties/n/format",
        refused("form", form, "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"string\",\"format\":\"ipv4\"}}}").field());
    assertEquals(
        "answerSchema/properties/n/minimum",
        refused("form", form, "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"number\",\"minimum\":\"1\"}}}").field());
    assertEquals(
        "answerSchema/properties/n/minimum",
        refused("form", form, "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":5,\"maximum\":1}}}").field());
    assertEquals(
        "answerSchema/properties/n/default",
        refused("form", form, "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"default\":1.5}}}").field());
    assertEquals(
        "answerSchema/properties/n/enum/1",
        refused("form", form, "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"string\",\"enum\":[\"a\",\"a\"]}}}").field());
    assertEquals(
        "answerSchema/properties/n/oneOf/0/title",
        refused("form", form, "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"string\",\"oneOf\":[{\"const\":\"a\"}]}}}").field());
    assertEquals(
        "answerSchema/properties/n/items",
        refused("form", form, "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}}").field());
    assertEquals(
        "answerSchema/properties/n/items/type",
        refused("form", form, "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"array\",\"items\":{\"type\":\"number\",\"enum\":[\"1\"]}}}}").field());
    assertEquals(
        "answerSchema/properties/n/title",
        refused("form", form, "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"boolean\",\"title\":true}}}").field());
    assertEquals(
        "answerSchema/required/0",
        refused("form", form, "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"boolean\"}},\"required\":[\"m\"]}").field());
    String huge = "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"string\",\"description\":\"" + "x".repeat(SETTINGS.maxPayloadBytes()) + "\"}}}";
    assertEquals("answerSchema", refused("form", form, huge).field());
  }

  @Test
  void answersAreCheckedAgainstTheSchemaTheirKindImplies() {
    String confirm = "{\"message\":\"Deploy?\"}";
    assertTrue(problems("confirm", confirm, null, "{\"confirmed\":true}").isEmpty());
    assertTrue(problems("confirm", confirm, null, "{\"confirmed\":false,\"reason\":\"not now\"}").isEmpty());
    assertEquals("/confirmed", pointers(problems("confirm", confirm, null, "{\"confirmed\":\"yes\"}")));
    assertEquals("", pointers(problems("confirm", confirm, null, "{}")));
    assertEquals("", pointers(problems("confirm", confirm, null, "true")));

    String choice = "{\"message\":\"m\",\"options\":[{\"value\":\"a\",\"title\":\"A\"},{\"value\":2,\"title\":\"Two\"}]}";
    assertTrue(problems("choice", choice, null, "{\"value\":2}").isEmpty());
    assertEquals("/value", pointers(problems("choice", choice, null, "{\"value\":\"b\"}")));

    String multi =
        "{\"message\":\"m\",\"options\":[{\"value\":\"a\",\"title\":\"A\"},{\"value\":\"b\",\"title\":\"B\"},{\"value\":\"c\",\"title\":\"C\"}],\"minItems\":1,\"maxItems\":2}";
    assertTrue(problems("multi_choice", multi, null, "{\"values\":[\"a\",\"c\"]}").isEmpty());
    assertEquals("/values", pointers(problems("multi_choice", multi, null, "{\"values\":[]}")));
    assertEquals("/values", pointers(problems("multi_choice", multi, null, "{\"values\":[\"a\",\"b\",\"c\"]}")));
    assertEquals("/values", pointers(problems("multi_choice", multi, null, "{\"values\":[\"a\",\"a\"]}")));
    assertEquals("/values/1", pointers(problems("multi_choice", multi, null, "{\"values\":[\"a\",\"z\"]}")));

    String text = "{\"message\":\"m\",\"maxLength\":3}";
    assertTrue(problems("text", text, null, "{\"text\":\"abc\"}").isEmpty());
    assertEquals("/text", pointers(problems("text", text, null, "{\"text\":\"abcd\"}")));

    assertEquals(Optional.empty(), AnswerSchema.of(new SessionEvent.Requested("i", "tool-approval", json("{}"), NOW, NOW, null)));
  }

  @Test
  void answersToAFormAreCheckedAgainstEveryKeywordWithFormatsAsserted() {
    String form = "{\"message\":\"m\"}";
    String fits =
        """
        {"name":"ann","email":"ann@example.com","site":"https://example.com/x","born":"1990-02-28",
         "at":"2026-11-30T10:00:00Z","age":30,"score":1.5,"agree":true,"plan":"pro","size":"l","tags":["a","b"],
         "colors":["red"]}
        """;
    assertTrue(problems("form", form, EVERY_KEYWORD, fits).isEmpty(), () -> problems("form", form, EVERY_KEYWORD, fits).toString());
    String wrong =
        """
        {"name":"A1","email":"not-an-email","site":"not a uri","born":"1990-02-30","at":"yesterday","age":17.5,
         "score":10,"agree":"yes","plan":"gold","size":"m","tags":["a","b","c"],"colors":["green"]}
        """;
    List<AnswerProblem> problems = problems("form", form, EVERY_KEYWORD, wrong);
    for (String pointer :
        List.of("/name", "/email", "/site", "/born", "/at", "/age", "/score", "/agree", "/plan", "/size", "/tags", "/colors/0")) {
      assertTrue(
          problems.stream().anyMatch(problem -> problem.pointer().equals(pointer)),
          pointer + " not reported in " + problems);
    }
    problems.forEach(problem -> assertTrue(!problem.message().isBlank(), problem.toString()));
    assertEquals("", pointers(problems("form", form, EVERY_KEYWORD, "{\"name\":\"ann\"}"))); // age is required
  }

  @Test
  void aPatternThatBacktracksForeverIsCutShortAndTheAnswerRefused() {
    String schema = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"pattern\":\"(.*a){10}c\"}}}";
    // Ten nested ".*" over 50 characters: the JDK's backtracking matcher takes hours to find no "c" (4 s for 8 over 40).
    String evil = "{\"name\":\"" + "a".repeat(50) + "\"}";

    List<AnswerProblem> problems =
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
            java.time.Duration.ofSeconds(20), () -> problems("form", "{\"message\":\"m\"}", schema, evil));

    assertEquals("/name", pointers(problems));
    assertTrue(problems("form", "{\"message\":\"m\"}", schema, "{\"name\":\"aaaaaaaaaac\"}").isEmpty(), "an ordinary answer still fits");
  }

  @Test
  void anAnswerIsToldAtMostTwentyProblems() {
    String multi = "{\"message\":\"m\",\"options\":[{\"value\":\"a\",\"title\":\"A\"}]}";
    StringBuilder wrong = new StringBuilder("{\"values\":[");
    for (int i = 0; i < 50; i++) {
      wrong.append(i == 0 ? "" : ",").append("\"x").append(i).append("\"");
    }
    wrong.append("]}");

    assertEquals(AnswerSchema.MAX_PROBLEMS, problems("multi_choice", multi, null, wrong.toString()).size());
  }
}
