package dev.interactions.cli;

import dev.interactions.protocol.Identifiers;
import dev.interactions.protocol.InvalidInputException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A session id, interaction id or idempotency key, checked against the protocol's id pattern here, so that a typo is a
 * usage error rather than a refusal from the server.
 */
final class IdConverter implements ITypeConverter<String> {

  @Override
  public String convert(String text) {
    try {
      return Identifiers.require("id", text);
    } catch (InvalidInputException e) {
      throw new TypeConversionException("'" + text + "' " + e.problem());
    }
  }
}
