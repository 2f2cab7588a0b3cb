package dev.interactions.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import ch.qos.logback.core.util.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Marker;

/**
 * A logback turbo filter that keeps a line an outsider can trigger at will from filling the disk: of the events of one
 * logger whose message starts with a given prefix, the first of a burst is logged in full (stack trace included), the
 * rest are counted, and once per interval a single summary line reports how many there were and the last cause, without
 * a stack trace. A burst ends after an interval without such events; the next one is logged in full again.
 *
 * <p>Configured in {@code logback.xml} for Pekko's {@code Accept error: could not accept new connection}, which
 * {@code org.apache.pekko.io.TcpListener} logs with a stack trace for every failed accept (e.g. out of file
 * descriptors, once per attempt while the condition lasts):
 *
 * <pre>{@code
 * <turboFilter class="dev.interactions.server.logging.RepeatedLineThrottle">
 *   <logger>org.apache.pekko.io.TcpListener</logger>
 *   <messagePrefix>Accept error</messagePrefix>
 *   <interval>10 seconds</interval>
 * </turboFilter>
 * }</pre>
 *
 * <p>Every other event passes untouched, at the cost of one string comparison.
 */
public final class RepeatedLineThrottle extends TurboFilter {

  private static final String FQCN = RepeatedLineThrottle.class.getName();

  private String loggerName;
  private String messagePrefix;
  private Duration interval = Duration.buildBySeconds(10);

  private ScheduledFuture<?> ticks;

  // The current burst, guarded by this. The summary is written outside the lock: appenders take locks of their own.
  private boolean inBurst;
  private long suppressed;
  private Logger lastLogger;
  private Level lastLevel;
  private String lastMessage;
  private Throwable lastCause;

  /** The exact name of the logger whose lines are throttled, e.g. {@code org.apache.pekko.io.TcpListener}. */
  public void setLogger(String loggerName) {
    this.loggerName = loggerName;
  }

  /** How the throttled messages start; other messages of the same logger pass. */
  public void setMessagePrefix(String messagePrefix) {
    this.messagePrefix = messagePrefix;
  }

  /** At most one summary line per interval; 10 seconds unless set. */
  public void setInterval(Duration interval) {
    this.interval = interval;
  }

  @Override
  public void start() {
    if (loggerName == null || messagePrefix == null || interval == null || interval.getMilliseconds() <= 0) {
      addError("RepeatedLineThrottle needs a logger, a messagePrefix and a positive interval; not started");
      return;
    }
    long millis = interval.getMilliseconds();
    ticks =
        getContext()
            .getScheduledExecutorService()
            .scheduleAtFixedRate(this::endInterval, millis, millis, TimeUnit.MILLISECONDS);
    getContext().addScheduledFuture(ticks);
    super.start();
  }

  @Override
  public void stop() {
    if (ticks != null) {
      ticks.cancel(false);
    }
    super.stop();
  }

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable cause) {
    if (!isStarted()
        || format == null
        || !logger.getName().equals(loggerName)
        || !format.startsWith(messagePrefix)
        // Turbo filters run before the level check: a line the logger drops anyway must not open a burst.
        || !level.isGreaterOrEqual(logger.getEffectiveLevel())) {
      return FilterReply.NEUTRAL;
    }
    synchronized (this) {
      if (!inBurst) {
        inBurst = true;
        return FilterReply.NEUTRAL;
      }
      suppressed++;
      lastLogger = logger;
      lastLevel = level;
      lastMessage = format;
      lastCause = cause;
      return FilterReply.DENY;
    }
  }

  /**
   * Closes the current interval: writes the summary of the events suppressed in it, or, if there were none, ends the
   * burst. Runs every interval on the logger context's scheduler; package-private so tests can drive the clock.
   */
  void endInterval() {
    Logger logger;
    LoggingEvent summary;
    synchronized (this) {
      if (suppressed == 0) {
        inBurst = false;
        return;
      }
      summary =
          new LoggingEvent(
              FQCN,
              lastLogger,
              lastLevel,
              lastMessage
                  + " ["
                  + suppressed
                  + " more in the last "
                  + interval
                  + ", counted and not logged one by one"
                  + (lastCause == null ? "" : "; last cause: " + lastCause)
                  + "]",
              null,
              null);
      logger = lastLogger;
      suppressed = 0;
      lastCause = null;
    }
    // Straight to the appenders: through the logger, the summary would come back to this filter.
    logger.callAppenders(summary);
  }
}
