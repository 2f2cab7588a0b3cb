package dev.interactions.server.logging;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * The {@code %msg} of our logback pattern: the formatted message with every credential masked by
 * {@link SecretRedaction}, so that no token or secret reaches the log whichever library wrote the line.
 */
public final class RedactedMessageConverter extends MessageConverter {

  @Override
  public String convert(ILoggingEvent event) {
    return SecretRedaction.redact(super.convert(event));
  }
}
