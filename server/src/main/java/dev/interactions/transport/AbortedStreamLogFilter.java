package dev.interactions.transport;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops the error lines Pekko HTTP writes when the server aborts a client stream on purpose ({@link
 * SlowConsumerAborted}): "Response stream for [GET …/events] failed … Aborting connection." with a stack trace. The
 * {@link Connection} has already logged the event as one warning, and it is counted in the metrics; every other error
 * line passes. Installed by the server's {@code logback.xml}; an application with a logging configuration of its own
 * adds {@code <turboFilter class="dev.interactions.transport.AbortedStreamLogFilter"/>} to it.
 */
public final class AbortedStreamLogFilter extends TurboFilter {

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    return t instanceof SlowConsumerAborted ? FilterReply.DENY : FilterReply.NEUTRAL;
  }
}
