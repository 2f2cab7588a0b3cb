package dev.interactions.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interactions.protocol.AnswerProblem;
import dev.interactions.protocol.ClientMessage;
import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.RawJson;
import dev.interactions.protocol.ServerMessage;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The client reads what later servers may add, and writes exactly the protocol's messages. */
class ClientCodecTest {

  @Test
  void framesOfUnknownTypesReadAsNothingAndUnknownFieldsAreIgnored() {
    assertNull(frame("{\"type\":\"hologram\",\"id\":\"a\"}"));
    ServerMessage.Closed closed =
        assertInstanceOf(ServerMessage.Closed.class, frame("{\"type\":\"closed\",\"id\":\"a\",\"outcome\":\"answered\",\"by\":\"x\"}"));
    assertEquals("a", closed.id());
    assertNull(((ServerMessage.Closed) frame("{\"type\":\"closed\",\"id\":\"a\",\"outcome\":\"evaporated\"}")).outcome());
  }

  @Test
  void anErrorFrameKeepsItsCodeEvenOneThisLibraryDoesNotKnow() {
    RefusedException invalid =
        RefusedException.ofFrame(
            ClientCodec.tree(
                "{\"type\":\"error\",\"code\":\"invalid_answer\",\"message\":\"does not fit\",\"id\":\"i-1\",\"ref\":\"r1\","
                    + "\"errors\":[{\"pointer\":\"/age\",\"message\":\"must be at least 18\"}]}"));
    RefusedException unknown = RefusedException.ofFrame(ClientCodec.tree("{\"type\":\"error\",\"code\":\"solar_flare\",\"message\":\"!\"}"));

    assertTrue(invalid.is(ErrorCode.INVALID_ANSWER));
    assertEquals(List.of(new AnswerProblem("/age", "must be at least 18")), invalid.problems());
    assertEquals("i-1", invalid.interactionId().orElseThrow());
    assertTrue(invalid.httpStatus().isEmpty(), "a frame has no HTTP status");
    assertEquals("solar_flare", unknown.code());
  }

  @Test
  void clientMessagesAreWrittenWithTheirTypeAndWithoutAbsentFields() {
    assertEquals("{\"type\":\"ping\"}", ClientCodec.write(new ClientMessage.Ping()));
    assertEquals(
        "{\"type\":\"answer\",\"id\":\"a\",\"value\":{\"approved\":true}}",
        ClientCodec.write(new ClientMessage.Answer("a", ClientCodec.json(Map.of("approved", true)), null)));
    assertEquals("{\"type\":\"reject\",\"id\":\"a\",\"ref\":\"r2\"}", ClientCodec.write(new ClientMessage.Reject("a", null, "r2")));
  }

  @Test
  void answersAndPayloadsAreJsonValuesWhateverJavaValueTheyCameFrom() {
    assertEquals(RawJson.NULL, ClientCodec.json(null));
    assertEquals("\"yes\"", ClientCodec.json("yes").text(), "a string is a JSON string, not JSON text");
    assertEquals("0.10", ClientCodec.json(new BigDecimal("0.10")).text(), "decimals digit for digit");
    RawJson raw = RawJson.parse("value", "{\"a\":[1,2]}");
    assertEquals(raw, ClientCodec.json(raw));
    assertEquals("{\"a\":[1,2]}", ClientCodec.json(raw.tree()).text());
  }

  private static ServerMessage frame(String json) {
    return ClientCodec.convert(ClientCodec.tree(json), ServerMessage.class);
  }
}
