package dev.interactions.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The JSON wire contract: the exact shape of every server frame, and how client frames decode or are refused. */
class WireCodecTest {

  /** A plain mapper, independent of the codec's own configuration, to compare JSON trees. */
  private static final ObjectMapper PLAIN = new ObjectMapper();

  private static final Instant REQUESTED_AT = Instant.parse("2024-05-01T12:00:00Z");
  private static final Instant EXPIRES_AT = Instant.parse("2024-05-01T12:05:00.250Z");

  private static JsonNode tree(String json) {
    try {
      return PLAIN.readTree(json);
    } catch (JsonProcessingException e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }

  private static void assertEncodesAs(String expectedJson, ServerMessage message) {
    assertEquals(tree(expectedJson), tree(WireCodec.encode(message)));
  }

  private static InvalidInputException decodeFails(String json) {
    return assertThrows(InvalidInputException.class, () -> WireCodec.decodeClient(json));
  }

  @Nested
  class EncodingServerMessages {

    @Test
    void welcomeCarriesProtocolVersionSessionConnectionAndHeartbeat() {
      assertEncodesAs(
          """
          {"type":"welcome","protocol":1,"sessionId":"s-1","connectionId":"c-1","heartbeatMs":15000}
          """,
          new ServerMessage.Welcome(1, "s-1", "c-1", 15_000));
    }

    @Test
    void interactionCarriesPayloadAsEmbeddedJsonAndInstantsAsIso8601() {
      assertEncodesAs(
          """
          {"type":"interaction","id":"i-1","kind":"approve","payload":{"tool":"rm","args":[1,true,null]},
           "requestedAt":"2024-05-01T12:00:00Z","expiresAt":"2024-05-01T12:05:00.250Z"}
          """,
          new ServerMessage.Interaction(
              "i-1",
              "approve",
              RawJson.parse("payload", "{\"tool\":\"rm\",\"args\":[1,true,null]}"),
              REQUESTED_AT,
              EXPIRES_AT));
    }

    @Test
    void interactionPayloadIsAJsonValueNotAString() {
      ServerMessage message =
          new ServerMessage.Interaction("i-1", "approve", RawJson.parse("payload", "{\"a\":1}"), REQUESTED_AT, EXPIRES_AT);

      assertTrue(tree(WireCodec.encode(message)).get("payload").isObject());
    }

    @Test
    void interactionWithoutDeadlineOmitsExpiresAt() {
      ServerMessage message =
          new ServerMessage.Interaction("i-1", "approve", RawJson.parse("payload", "7"), REQUESTED_AT, null);

      assertFalse(tree(WireCodec.encode(message)).has("expiresAt"));
    }

    @ParameterizedTest(name = "{0} -> \"{1}\"")
    @CsvSource({
      "ANSWERED, answered",
      "REJECTED, rejected",
      "CANCELLED, cancelled",
      "EXPIRED, expired",
      "DISCONNECTED, disconnected",
      "SHUTDOWN, shutdown"
    })
    void closedNamesTheOutcomeInLowerCase(OutcomeCode outcome, String wireName) {
      assertEncodesAs(
          "{\"type\":\"closed\",\"id\":\"i-1\",\"outcome\":\"" + wireName + "\"}",
          new ServerMessage.Closed("i-1", outcome));
    }

    @Test
    void ackEchoesIdAndRef() {
      assertEncodesAs("{\"type\":\"ack\",\"id\":\"i-1\",\"ref\":\"r-7\"}", new ServerMessage.Ack("i-1", "r-7"));
    }

    @Test
    void errorCarriesCodeMessageIdAndRef() {
      assertEncodesAs(
          """
          {"type":"error","code":"already_closed","message":"answered elsewhere","id":"i-1","ref":"r-7"}
          """,
          new ServerMessage.Error(ErrorCode.ALREADY_CLOSED, "answered elsewhere", "i-1", "r-7"));
    }

    @Test
    void errorOmitsFieldsThatAreNull() {
      assertEncodesAs(
          "{\"type\":\"error\",\"code\":\"bad_message\",\"message\":\"type: is required\"}",
          ServerMessage.Error.of(ErrorCode.BAD_MESSAGE, "type: is required"));
    }

    @Test
    void pongIsJustItsType() {
      assertEncodesAs("{\"type\":\"pong\"}", new ServerMessage.Pong());
    }

    @Test
    void encodingIsASingleLine() {
      String encoded =
          WireCodec.encode(
              new ServerMessage.Interaction(
                  "i-1", "approve", RawJson.parse("payload", "{\n  \"a\" : [1,\n 2]\n}"), REQUESTED_AT, EXPIRES_AT));

      assertFalse(encoded.contains("\n"), encoded);
    }
  }

  @Nested
  class DecodingClientMessages {

    @ParameterizedTest(name = "value {0}")
    @ValueSource(strings = {"{\"approved\":true}", "[1,\"two\",null]", "\"yes\"", "42", "-0.5", "true", "null"})
    void answerKeepsAnyJsonValue(String value) {
      ClientMessage decoded = WireCodec.decodeClient("{\"type\":\"answer\",\"id\":\"i-1\",\"value\":" + value + "}");

      assertEquals(new ClientMessage.Answer("i-1", new RawJson(value), null), decoded);
    }

    @Test
    void answerKeepsNestedValueNormalised() {
      ClientMessage decoded =
          WireCodec.decodeClient("{\"type\":\"answer\",\"id\":\"i-1\",\"value\": { \"a\" : [ 1 , { \"b\" : null } ] } }");

      assertEquals(new RawJson("{\"a\":[1,{\"b\":null}]}"), ((ClientMessage.Answer) decoded).value());
    }

    @Test
    void answerWithoutValueAnswersJsonNull() {
      ClientMessage decoded = WireCodec.decodeClient("{\"type\":\"answer\",\"id\":\"i-1\"}");

      assertEquals(RawJson.NULL, ((ClientMessage.Answer) decoded).value());
    }

    @Test
    void answerEchoesRef() {
      ClientMessage decoded = WireCodec.decodeClient("{\"type\":\"answer\",\"id\":\"i-1\",\"value\":1,\"ref\":\"r-7\"}");

      assertEquals("r-7", ((ClientMessage.Answer) decoded).ref());
    }

    @Test
    void rejectCarriesItsReason() {
      ClientMessage decoded = WireCodec.decodeClient("{\"type\":\"reject\",\"id\":\"i-1\",\"reason\":\"not now\"}");

      assertEquals(new ClientMessage.Reject("i-1", "not now", null), decoded);
    }

    @Test
    void rejectWithoutReasonHasNone() {
      ClientMessage decoded = WireCodec.decodeClient("{\"type\":\"reject\",\"id\":\"i-1\"}");

      assertNull(((ClientMessage.Reject) decoded).reason());
    }

    @Test
    void rejectEchoesRef() {
      ClientMessage decoded = WireCodec.decodeClient("{\"type\":\"reject\",\"id\":\"i-1\",\"ref\":\"r-8\"}");

      assertEquals("r-8", ((ClientMessage.Reject) decoded).ref());
    }

    @Test
    void pingDecodes() {
      assertInstanceOf(ClientMessage.Ping.class, WireCodec.decodeClient("{\"type\":\"ping\"}"));
    }

    @Test
    void surroundingWhitespaceIsAllowed() {
      assertInstanceOf(ClientMessage.Ping.class, WireCodec.decodeClient(" \r\n\t{ \"type\" : \"ping\" }\n"));
    }
  }

  @Nested
  class RefusingBadInput {

    @Test
    void malformedJsonNamesTheWholeMessage() {
      assertEquals("(message)", decodeFails("{\"type\":\"ping\"").field());
    }

    @Test
    void emptyInputNamesTheWholeMessage() {
      assertEquals("(message)", decodeFails("").field());
    }

    @Test
    void blankInputNamesTheWholeMessage() {
      assertEquals("(message)", decodeFails(" \n\t ").field());
    }

    @Test
    void nullInputNamesTheWholeMessage() {
      assertEquals("(message)", decodeFails(null).field());
    }

    @Test
    void unknownTypeNamesType() {
      assertEquals("type", decodeFails("{\"type\":\"subscribe\",\"id\":\"i-1\"}").field());
    }

    @Test
    void missingTypeNamesType() {
      assertEquals("type", decodeFails("{\"id\":\"i-1\",\"value\":1}").field());
    }

    @Test
    void unknownFieldIsNamed() {
      assertEquals("extra", decodeFails("{\"type\":\"ping\",\"extra\":1}").field());
    }

    @Test
    void unknownFieldOnAnAnswerIsNamed() {
      assertEquals("answer", decodeFails("{\"type\":\"answer\",\"id\":\"i-1\",\"answer\":1}").field());
    }

    @Test
    void answerWithoutIdNamesId() {
      assertEquals("id", decodeFails("{\"type\":\"answer\",\"value\":1}").field());
    }

    @Test
    void rejectWithoutIdNamesId() {
      assertEquals("id", decodeFails("{\"type\":\"reject\",\"reason\":\"no\"}").field());
    }

    @Test
    void idWithIllegalCharactersNamesId() {
      assertEquals("id", decodeFails("{\"type\":\"answer\",\"id\":\"i 1/2\",\"value\":1}").field());
    }

    @Test
    void idLongerThan128CharactersNamesId() {
      String id = "i".repeat(Identifiers.MAX_LENGTH + 1);

      assertEquals("id", decodeFails("{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":1}").field());
    }

    @Test
    void idOfTheWrongJsonTypeNamesId() {
      assertEquals("id", decodeFails("{\"type\":\"answer\",\"id\":{\"x\":1},\"value\":1}").field());
    }

    @Test
    void trailingGarbageNamesTheWholeMessage() {
      assertEquals("(message)", decodeFails("{\"type\":\"ping\"} trailing").field());
    }

    @Test
    void secondObjectAfterTheFirstNamesTheWholeMessage() {
      assertEquals("(message)", decodeFails("{\"type\":\"ping\"}{\"type\":\"ping\"}").field());
    }

    @Test
    void topLevelArrayIsRefused() {
      decodeFails("[{\"type\":\"ping\"}]");
    }

    @Test
    void topLevelArrayShapedLikeAJacksonWrapperIsRefused() {
      // Jackson would otherwise read ["ping",{}] as type id "ping" wrapping an empty object.
      decodeFails("[\"ping\",{}]");
    }

    @Test
    void topLevelStringIsRefused() {
      decodeFails("\"ping\"");
    }

    @Test
    void deeplyNestedValueIsRefused() {
      int depth = 10_000;
      String value = "[".repeat(depth) + "]".repeat(depth);

      decodeFails("{\"type\":\"answer\",\"id\":\"i-1\",\"value\":" + value + "}");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(
        strings = {
          "{",
          "}",
          "[",
          "[]",
          "42",
          "true",
          "null",
          "\"\"",
          "{}",
          "{\"type\":null}",
          "{\"type\":1}",
          "{\"type\":[\"ping\"]}",
          "{\"type\":{\"name\":\"ping\"}}",
          "{'type':'ping'}",
          "{type:ping}",
          "{\"type\":\"ping\",}",
          "{\"type\":\"ping\"}}",
          "\uFEFF{\"type\":\"ping\"}",
          "\u0000",
          "{\"type\":\"answer\",\"id\":\"i-1\",\"value\":NaN}",
          "{\"type\":\"answer\",\"id\":\"i-1\",\"value\":undefined}",
          "{\"type\":\"answer\",\"id\":\"i-1\",\"value\":}",
          "{\"type\":\"answer\",\"id\":[],\"value\":1}",
          "{\"type\":\"answer\",\"id\":\"é\",\"value\":1}",
          "{\"type\":\"answer\",\"id\":\"\",\"value\":1}",
          "{\"type\":\"reject\",\"id\":\"i-1\",\"reason\":{}}",
          "{\"type\":\"answer\",\"id\":\"i-1\",\"ref\":[1]}",
          "{\"type\":\"ping\",\"type\":\"answer\"}",
          "{\"type\":\"ping\"/* comment */}",
          "{\"type\":\"ping\"\u0000}"
        })
    void garbageOnlyEverRaisesInvalidInput(String garbage) {
      decodeFails(garbage);
    }
  }

  @Test
  void numberOrBooleanIdsAreRefusedNamingTheIdField() {
    for (String id : new String[] {"5", "1.5", "true"}) {
      InvalidInputException error =
          assertThrows(
              InvalidInputException.class,
              () -> WireCodec.decodeClient("{\"type\":\"answer\",\"id\":" + id + ",\"value\":1}"));
      assertEquals("id", error.field());
    }
  }

  @Test
  void decimalAnswersKeepEveryDigit() {
    ClientMessage.Answer answer =
        (ClientMessage.Answer)
            WireCodec.decodeClient("{\"type\":\"answer\",\"id\":\"i-1\",\"value\":0.12345678901234567890123}");

    assertEquals("0.12345678901234567890123", answer.value().text());
  }

  @Test
  void syncedEncodesWithItsPendingCountAndNamesItsEventType() {
    ServerMessage.Synced synced = new ServerMessage.Synced(3);

    assertEquals("{\"type\":\"synced\",\"pending\":3}", WireCodec.encode(synced));
    assertEquals("synced", WireCodec.typeName(synced));
  }

  @Test
  void everyServerMessageNamesItsEventTypeAsItsJsonDoes() throws JsonProcessingException {
    Instant at = Instant.parse("2026-11-30T00:00:00Z");
    java.util.List<ServerMessage> oneOfEach =
        java.util.List.of(
            new ServerMessage.Welcome(1, "s", "c", 1000),
            new ServerMessage.Interaction("i", "k", RawJson.NULL, at, at),
            new ServerMessage.Synced(0),
            new ServerMessage.Closed("i", OutcomeCode.UNDELIVERED),
            new ServerMessage.Ack("i", null),
            ServerMessage.Error.of(ErrorCode.INVALID_ANSWER, "m"),
            new ServerMessage.Pong(),
            new ServerMessage.Shown("i", "c"),
            new ServerMessage.Extended("i", at),
            new ServerMessage.Progress("i", 1, 2));
    long concreteTypes =
        java.util.Arrays.stream(ServerMessage.class.getPermittedSubclasses())
            .flatMap(type -> type.isInterface() ? java.util.Arrays.stream(type.getPermittedSubclasses()) : java.util.stream.Stream.of(type))
            .count();

    assertEquals(concreteTypes, oneOfEach.size(), "one of each kind of server message");
    for (ServerMessage message : oneOfEach) {
      assertEquals(new ObjectMapper().readTree(WireCodec.encode(message)).path("type").asText(), WireCodec.typeName(message));
    }
  }
}
