package dev.interactions.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A duration as people write it: {@code 500ms}, {@code 90s}, {@code 2m}, {@code 1h}, or a bare number of milliseconds
 * (the unit of the protocol's {@code timeoutMs}). Above zero; the server checks its own bounds.
 */
final class HumanDuration implements ITypeConverter<Duration> {

  private static final Pattern AMOUNT_AND_UNIT = Pattern.compile("(\\d{1,12})(ms|s|m|h)?");

  @Override
  public Duration convert(String text) {
    Matcher matcher = AMOUNT_AND_UNIT.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!matcher.matches()) {
      throw new TypeConversionException("'" + text + "' is not a duration like 90s, 2m, 1h, 500ms or 1500 (ms)");
    }
    long amount = Long.parseLong(matcher.group(1));
    String unit = matcher.group(2) == null ? "ms" : matcher.group(2);
    Duration duration =
        switch (unit) {
          case "h" -> Duration.ofHours(amount);
          case "m" -> Duration.ofMinutes(amount);
          case "s" -> Duration.ofSeconds(amount);
          default -> Duration.ofMillis(amount);
        };
    if (duration.isZero()) {
      throw new TypeConversionException("'" + text + "' is not above zero");
    }
    return duration;
  }
}
