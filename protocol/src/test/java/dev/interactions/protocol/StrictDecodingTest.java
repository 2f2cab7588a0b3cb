package dev.interactions.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Numbers are numbers and integers are integers, strings are strings, and every refusal names the field in the
 * client's terms: never one of our Java classes, whatever the input.
 */
class StrictDecodingTest {

  /** What a message must never contain: a quoted type, a package, a nested class, Jackson's token names. */
  private static final Pattern CODE_REFERENCE =
      Pattern.compile("`|\\bjava\\.|dev\\.interactions|\\w\\$\\w|JsonToken|CoercionConfig|StreamReadConstraints");

  private static InvalidInputException createFails(String json) {
    return assertThrows(InvalidInputException.class, () -> WireCodec.read(json, HttpBodies.CreateInteraction.class));
  }

  private static HttpBodies.CreateInteraction create(String json) {
    return WireCodec.read(json, HttpBodies.CreateInteraction.class);
  }

  // --- whole numbers -----------------------------------------------------------------------------------------------

  @ParameterizedTest(name = "timeoutMs: {0}")
  @ValueSource(strings = {"\"1000\"", "\"\"", "\" 1000 \"", "\"1e3\"", "\"0x3e8\""})
  void aNumberInAStringIsNotANumber(String timeoutMs) {
    InvalidInputException error = createFails("{\"kind\":\"k\",\"timeoutMs\":" + timeoutMs + "}");

    assertEquals("timeoutMs: must be a whole number", error.getMessage());
  }

  @ParameterizedTest(name = "timeoutMs: {0}")
  @ValueSource(strings = {"1000.5", "1000.0", "1e3", "1E3", "-0.0", "0.5"})
  void aFractionOrExponentIsNotAWholeNumber(String timeoutMs) {
    InvalidInputException error = createFails("{\"kind\":\"k\",\"timeoutMs\":" + timeoutMs + "}");

    assertEquals("timeoutMs: must be a whole number", error.getMessage());
  }

  @ParameterizedTest(name = "timeoutMs: {0}")
  @ValueSource(strings = {"true", "false", "{}", "[]", "[1000]", "{\"ms\":1000}"})
  void aBooleanObjectOrArrayIsNotAWholeNumber(String timeoutMs) {
    InvalidInputException error = createFails("{\"kind\":\"k\",\"timeoutMs\":" + timeoutMs + "}");

    assertEquals("timeoutMs: must be a whole number", error.getMessage());
  }

  @Test
  void aWholeNumberTooLargeForItsFieldIsOutOfRange() {
    InvalidInputException error = createFails("{\"kind\":\"k\",\"timeoutMs\":9223372036854775808}");

    assertEquals("timeoutMs: is out of range", error.getMessage());
  }

  @Test
  void wholeNumbersNullAndAbsenceStillWork() {
    assertEquals(1000L, create("{\"kind\":\"k\",\"timeoutMs\":1000}").timeoutMs());
    assertEquals(null, create("{\"kind\":\"k\",\"timeoutMs\":null}").timeoutMs());
    assertEquals(null, create("{\"kind\":\"k\"}").timeoutMs());
  }

  // --- every other field kind --------------------------------------------------------------------------------------

  @ParameterizedTest(name = "[{index}] {0} {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          create | {"kind":5}                                      | kind: must be a string
          create | {"kind":1.5}                                    | kind: must be a string
          create | {"kind":true}                                   | kind: must be a string
          create | {"kind":{}}                                     | kind: must be a string
          create | {"kind":["k"]}                                  | kind: must be a string
          create | {"kind":"k","idempotencyKey":7}                 | idempotencyKey: must be a string
          create | {"kind":"k","idempotencyKey":{"k":1}}           | idempotencyKey: must be a string
          create | []                                              | (message): must be a JSON object
          create | "k"                                             | (message): must be a JSON object
          create | 42                                              | (message): must be a JSON object
          create | true                                            | (message): must be a JSON object
          answer | {"value":1,"connectionId":5}                    | connectionId: must be a string
          answer | {"value":1,"connectionId":[]}                   | connectionId: must be a string
          answer | [1]                                             | (message): must be a JSON object
          reject | {"reason":false}                                | reason: must be a string
          reject | {"reason":"no","connectionId":{}}               | connectionId: must be a string
          reject | 1.5                                             | (message): must be a JSON object
          client | {"type":"answer","id":5,"value":1}              | id: must be a string
          client | {"type":"answer","id":"i-1","ref":2.5}          | ref: must be a string
          client | {"type":"reject","id":"i-1","reason":["no"]}    | reason: must be a string
          client | {"type":"reject","id":true}                     | id: must be a string
          """)
  void aValueOfTheWrongJsonTypeIsRefusedNamingItsField(String body, String json, String message) {
    InvalidInputException error = assertThrows(InvalidInputException.class, () -> decode(body).apply(json));

    assertEquals(message, error.getMessage());
  }

  @Test
  void anUnclosedObjectSaysWhereItBeganWithoutQuotingTheInputAsAJavaString() {
    InvalidInputException error = createFails("{\"kind\":\"k\"");

    assertEquals(
        "(message): malformed JSON: Unexpected end-of-input: expected close marker for Object (opened at line 1, column 1)",
        error.getMessage());
  }

  @Test
  void aParserLimitIsReportedWithoutNamingTheClassThatSetsIt() {
    String deep = "[".repeat(2_000) + "]".repeat(2_000);

    InvalidInputException error = createFails("{\"kind\":\"k\",\"payload\":" + deep + "}");

    assertEquals(
        "payload: malformed JSON: Document nesting depth (1001) exceeds the maximum allowed (1000)", error.getMessage());
  }

  // --- the sweep ---------------------------------------------------------------------------------------------------

  /** Every JSON kind, in several shapes, to put where each field's value goes. */
  private static final List<String> VALUES =
      List.of(
          "0", "-1", "7", "1.5", "1e3", "-0.0", "12345678901234567890123", "\"\"", "\"x\"", "\"1000\"", "true", "false",
          "null", "{}", "{\"a\":[1,{\"b\":null}]}", "[]", "[1,\"2\"]", "[[[]]]");

  /** Valid bodies of each kind with each of their fields, the values to vary. */
  private static final List<String[]> BODIES =
      List.of(
          new String[] {"create", "{\"kind\":\"k\",\"payload\":{\"a\":1},\"timeoutMs\":1000,\"idempotencyKey\":\"key-1\"}",
            "kind", "payload", "timeoutMs", "idempotencyKey"},
          new String[] {"answer", "{\"value\":{\"ok\":true},\"connectionId\":\"c-1\"}", "value", "connectionId"},
          new String[] {"reject", "{\"reason\":\"no\",\"connectionId\":\"c-1\"}", "reason", "connectionId"},
          new String[] {"client", "{\"type\":\"answer\",\"id\":\"i-1\",\"value\":1,\"ref\":\"r\"}", "type", "id", "value",
            "ref"},
          new String[] {"client", "{\"type\":\"reject\",\"id\":\"i-1\",\"reason\":\"no\",\"ref\":\"r\"}", "type", "id",
            "reason", "ref"});

  /**
   * Every field of every body given every kind of JSON value, then thousands of random mutations of the valid bodies
   * (characters inserted, deleted, replaced, the input cut short): whatever is refused is refused with an
   * {@link InvalidInputException} that starts with a field name and a colon and names no code.
   *
   * <p>The mutation alphabet leaves out {@code `} and {@code $}: Jackson quotes an unexpected character back, and a
   * client's own backtick in the message is not a leak of ours.
   */
  @Test
  void noRefusalEverNamesOurCode() {
    List<String> inputs = new ArrayList<>();
    List<String> kinds = new ArrayList<>();
    for (String[] body : BODIES) {
      for (int f = 2; f < body.length; f++) {
        for (String value : VALUES) {
          inputs.add(withField(body[1], body[f], value));
          kinds.add(body[0]);
        }
      }
    }
    Random random = new Random(20261124);
    String alphabet = "{}[]\":,.-+0123456789eE \t\nabcdefkntruls\\/'x#%&é";
    for (int i = 0; i < 20_000; i++) {
      String[] body = BODIES.get(random.nextInt(BODIES.size()));
      inputs.add(mutate(body[1], random, alphabet));
      kinds.add(body[0]);
    }

    int refused = 0;
    for (int i = 0; i < inputs.size(); i++) {
      String input = inputs.get(i);
      try {
        decode(kinds.get(i)).apply(input);
      } catch (InvalidInputException e) {
        refused++;
        String message = e.getMessage();
        assertFalse(CODE_REFERENCE.matcher(message).find(), () -> "names our code: " + message + " <- " + input);
        assertTrue(message.startsWith(e.field() + ": "), () -> "does not start with its field: " + message);
        assertFalse(e.field().isBlank(), () -> "no field: " + message + " <- " + input);
      } catch (RuntimeException e) {
        fail("not an InvalidInputException for " + input, e);
      }
    }
    assertTrue(refused > 10_000, "the sweep must mostly hit refusals to prove anything; refused " + refused);
  }

  private static String withField(String json, String field, String value) {
    String replaced =
        json.replaceFirst("(\"" + field + "\":)(\\{[^}]*\\}|\"[^\"]*\"|[^,}]+)", "$1" + value.replace("$", "\\$"));
    assertFalse(replaced.equals(json), () -> field + " not replaced by " + value + " in " + json);
    return replaced;
  }

  private static String mutate(String json, Random random, String alphabet) {
    StringBuilder text = new StringBuilder(json);
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits && !text.isEmpty(); e++) {
      int at = random.nextInt(text.length());
      char c = alphabet.charAt(random.nextInt(alphabet.length()));
      switch (random.nextInt(4)) {
        case 0 -> text.insert(at, c);
        case 1 -> text.deleteCharAt(at);
        case 2 -> text.setCharAt(at, c);
        default -> text.setLength(at);
      }
    }
    return text.toString();
  }

  private static Function<String, Object> decode(String body) {
    return switch (body) {
      case "create" -> json -> WireCodec.read(json, HttpBodies.CreateInteraction.class);
      case "answer" -> json -> WireCodec.read(json, HttpBodies.Answer.class);
      case "reject" -> json -> WireCodec.read(json, HttpBodies.Reject.class);
      case "client" -> WireCodec::decodeClient;
      default -> throw new IllegalArgumentException(body);
    };
  }
}
