package dev.interactions.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Opaque JSON values kept as compact text. */
class RawJsonTest {

  @Test
  void parseRemovesInsignificantWhitespace() {
    assertEquals(new RawJson("{\"a\":1}"), RawJson.parse("payload", "{ \"a\" : 1 }"));
  }

  @Test
  void parseKeepsWhitespaceInsideStrings() {
    assertEquals("{\"a b\":\" c \"}", RawJson.parse("payload", " {\n\"a b\" :\t\" c \" } ").text());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"\"text\"", "42", "-1.5", "true", "false", "null", "[]", "{}", "[1,[2,{\"x\":null}]]"})
  void parseAcceptsAnyJsonValue(String json) {
    assertEquals(json, RawJson.parse("payload", json).text());
  }

  @Test
  void ofNullTreeIsJsonNull() {
    assertEquals(RawJson.NULL, RawJson.of(null));
  }

  @Test
  void ofTreeIsItsCompactText() {
    assertEquals("{\"a\":[1]}", RawJson.of(JsonNodeFactory.instance.objectNode().set("a", JsonNodeFactory.instance.arrayNode().add(1))).text());
  }

  @Test
  void utf8LengthCountsBytesNotChars() {
    RawJson json = RawJson.parse("payload", "\"é€😀\"");

    // 2 quotes + é (2 bytes) + € (3 bytes) + 😀 (4 bytes, 2 chars)
    assertEquals(11, json.utf8Length());
  }

  @Test
  void utf8LengthOfAsciiIsItsLength() {
    assertEquals(7, RawJson.parse("payload", "{\"a\":1}").utf8Length());
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"{", "{\"a\":}", "nul", "'a'", "{a:1}", "[1,]", "1 2", "{} {}", "", "   "})
  void malformedInputIsRejectedNamingTheGivenField(String json) {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> RawJson.parse("payload", json));

    assertEquals("payload", e.field());
  }

  @Test
  void missingInputIsRejectedNamingTheGivenField() {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> RawJson.parse("value", null));

    assertEquals("value", e.field());
  }

  @Test
  void writingEmbedsTheTextAsJson() {
    assertEquals("[{\"a\":1},null]", WireCodec.write(new RawJson[] {new RawJson("{\"a\":1}"), RawJson.NULL}));
  }
}
