package dev.interactions.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The single id rule: {@code [A-Za-z0-9._:-]{1,128}}. */
class IdentifiersTest {

  private static Stream<String> invalidIds() {
    return Stream.of(null, "", "   ", "i".repeat(Identifiers.MAX_LENGTH + 1), "a b", "a/b", "é", "a\nb", "a#b");
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"a", "Z", "7", "session-1", "A.b_c:d-9", "2024-05-01T12:00:00.000Z", "...", "-"})
  void requireReturnsAValidId(String id) {
    assertEquals(id, Identifiers.require("sessionId", id));
  }

  @Test
  void requireAcceptsExactly128Characters() {
    String id = "i".repeat(Identifiers.MAX_LENGTH);

    assertEquals(id, Identifiers.require("sessionId", id));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @MethodSource("invalidIds")
  void requireRejectsAnInvalidIdNamingTheGivenField(String id) {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> Identifiers.require("sessionId", id));

    assertEquals("sessionId", e.field());
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"a", "session-1", "A.b_c:d-9"})
  void isValidAcceptsValidIds(String id) {
    assertTrue(Identifiers.isValid(id));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @MethodSource("invalidIds")
  void isValidRefusesWhatRequireRejects(String id) {
    assertFalse(Identifiers.isValid(id));
  }
}
