package dev.interactions.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class HumanDurationTest {

  private final HumanDuration converter = new HumanDuration();

  @Test
  void readsEachUnitAndABareNumberAsMilliseconds() {
    assertEquals(Duration.ofSeconds(90), converter.convert("90s"));
    assertEquals(Duration.ofMinutes(2), converter.convert("2m"));
    assertEquals(Duration.ofHours(1), converter.convert("1H"));
    assertEquals(Duration.ofMillis(500), converter.convert("500ms"));
    assertEquals(Duration.ofMillis(1500), converter.convert(" 1500 "));
  }

  @Test
  void refusesWhatIsNotAPositiveDuration() {
    assertEquals("'soon' is not a duration like 90s, 2m, 1h, 500ms or 1500 (ms)", message("soon"));
    assertEquals("'-5s' is not a duration like 90s, 2m, 1h, 500ms or 1500 (ms)", message("-5s"));
    assertEquals("'1.5m' is not a duration like 90s, 2m, 1h, 500ms or 1500 (ms)", message("1.5m"));
    assertEquals("'2d' is not a duration like 90s, 2m, 1h, 500ms or 1500 (ms)", message("2d"));
    assertEquals("'' is not a duration like 90s, 2m, 1h, 500ms or 1500 (ms)", message(""));
    assertEquals("'0s' is not above zero", message("0s"));
  }

  private String message(String text) {
    return assertThrows(TypeConversionException.class, () -> converter.convert(text)).getMessage();
  }
}
