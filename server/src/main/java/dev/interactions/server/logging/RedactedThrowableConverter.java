package dev.interactions.server.logging;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;

/**
 * The {@code %ex} of our logback pattern: the stack trace with every credential masked by {@link SecretRedaction}.
 * Exception messages quote their input as readily as log messages do (a URI that failed to parse, a header value).
 */
public final class RedactedThrowableConverter extends ThrowableProxyConverter {

  @Override
  protected String throwableProxyToString(IThrowableProxy proxy) {
    return SecretRedaction.redact(super.throwableProxyToString(proxy));
  }
}
