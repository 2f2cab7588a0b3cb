package dev.interactions.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AskPayloadTest {

  @Test
  void theMessageIsThePayloadsMessage() {
    assertEquals("{\"message\":\"Deploy to \\\"production\\\"?\"}", AskPayload.of("Deploy to \"production\"?", null).toString());
  }

  @Test
  void payloadIsTheWholePayload() {
    assertEquals("[1,{\"a\":null}]", AskPayload.of(null, " [1, {\"a\": null}] ").toString());
    assertEquals("\"just text\"", AskPayload.of(null, "\"just text\"").toString());
  }

  @Test
  void aMessageBesidePayloadBecomesItsMessage() {
    assertEquals(
        "{\"options\":[{\"value\":\"eu\",\"title\":\"Europe\"}],\"message\":\"Where?\"}",
        AskPayload.of("Where?", "{\"options\":[{\"value\":\"eu\",\"title\":\"Europe\"}]}").toString());
  }

  @Test
  void neitherIsNoPayload() {
    assertNull(AskPayload.of(null, null));
  }

  @Test
  void saysWhatDoesNotFit() {
    assertEquals(
        "a message needs --payload to be a JSON object, to be its \"message\"", message("Deploy?", "[1]"));
    assertEquals("--payload has a \"message\" already: give the message once", message("Deploy?", "{\"message\":\"x\"}"));
    assertEquals("--payload is empty: give JSON, e.g. '{\"message\":\"Deploy?\"}'", message(null, " "));
    assertEquals(
        "--payload is not JSON: Unexpected character ('d' (code 100)): was expecting double-quote to start field name",
        message(null, "{deploy: true}"));
  }

  private static String message(String message, String payload) {
    return assertThrows(IllegalArgumentException.class, () -> AskPayload.of(message, payload)).getMessage();
  }
}
