package dev.interactions.server.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.core.util.Duration;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RepeatedLineThrottle} in a real logback {@link LoggerContext}, on the line Pekko's {@code TcpListener} logs for
 * every failed accept. The interval is driven by calling {@code endInterval()}, as the context's scheduler would.
 */
class RepeatedLineThrottleTest {

  /** The logger and message Pekko uses (actor/src/main/scala/org/apache/pekko/io/TcpListener.scala, through Slf4jLogger). */
  private static final String TCP_LISTENER = "org.apache.pekko.io.TcpListener";

  private static final String ACCEPT_ERROR = "Accept error: could not accept new connection";
  private static final IOException EMFILE = new IOException("Too many open files");

  private final LoggerContext context = new LoggerContext();
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final Logger listener = context.getLogger(TCP_LISTENER);

  /** Long enough for the scheduler to stay out of the way: the tests end intervals themselves. */
  private static final Duration AN_HOUR = Duration.buildByHours(1);

  @BeforeEach
  void collectLines() {
    lines.setContext(context);
    lines.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(lines);
  }

  /** A started throttle of Pekko's accept errors, in the context's turbo filters, as logback.xml configures it. */
  private RepeatedLineThrottle throttle(Duration interval) {
    RepeatedLineThrottle throttle = new RepeatedLineThrottle();
    throttle.setContext(context);
    throttle.setLogger(TCP_LISTENER);
    throttle.setMessagePrefix("Accept error");
    throttle.setInterval(interval);
    throttle.start();
    context.addTurboFilter(throttle);
    return throttle;
  }

  @AfterEach
  void stop() {
    context.stop();
  }

  private List<ILoggingEvent> lines() {
    synchronized (lines) { // the appender appends under its own lock, from the scheduler's thread too
      return List.copyOf(lines.list);
    }
  }

  @Test
  void aBurstOfTenThousandIsOneLineInFullThenOneSummaryWithTheCount() {
    RepeatedLineThrottle throttle = throttle(AN_HOUR);
    for (int i = 0; i < 10_000; i++) {
      listener.error(ACCEPT_ERROR, EMFILE);
    }

    assertEquals(1, lines().size(), "only the first is logged during the interval");
    ILoggingEvent first = lines().get(0);
    assertEquals(ACCEPT_ERROR, first.getFormattedMessage());
    assertNotNull(first.getThrowableProxy(), "the first keeps its stack trace");

    throttle.endInterval();

    assertEquals(2, lines().size());
    ILoggingEvent summary = lines().get(1);
    assertEquals(Level.ERROR, summary.getLevel());
    assertEquals(TCP_LISTENER, summary.getLoggerName());
    assertTrue(summary.getFormattedMessage().startsWith(ACCEPT_ERROR + " [9999 more in the last"), summary.getFormattedMessage());
    assertTrue(
        summary.getFormattedMessage().contains("last cause: java.io.IOException: Too many open files"),
        summary.getFormattedMessage());
    assertNull(summary.getThrowableProxy(), "the summary repeats no stack trace");
  }

  @Test
  void aFloodThatGoesOnIsOneSummaryPerIntervalAndNoFurtherStackTrace() {
    RepeatedLineThrottle throttle = throttle(AN_HOUR);
    listener.error(ACCEPT_ERROR, EMFILE);
    for (int interval = 0; interval < 5; interval++) {
      for (int i = 0; i < 1_000; i++) {
        listener.error(ACCEPT_ERROR, EMFILE);
      }
      throttle.endInterval();
    }

    assertEquals(6, lines().size(), "one line in full, then five summaries");
    assertEquals(1, lines().stream().filter(line -> line.getThrowableProxy() != null).count());
    assertTrue(lines().stream().skip(1).allMatch(line -> line.getFormattedMessage().contains("[1000 more in the last")));
  }

  @Test
  void anIntervalWithoutRepeatsEndsTheBurstAndTheNextOneIsLoggedInFullAgain() {
    RepeatedLineThrottle throttle = throttle(AN_HOUR);
    listener.error(ACCEPT_ERROR, EMFILE);
    throttle.endInterval(); // nothing suppressed: no summary, the burst is over
    assertEquals(1, lines().size());

    listener.error(ACCEPT_ERROR, EMFILE);

    assertEquals(2, lines().size());
    assertNotNull(lines().get(1).getThrowableProxy());
  }

  @Test
  void otherMessagesAndOtherLoggersPassUntouched() {
    throttle(AN_HOUR);
    listener.error(ACCEPT_ERROR, EMFILE);
    for (int i = 0; i < 100; i++) {
      listener.warn("Unbound endpoint");
      context.getLogger("org.apache.pekko.io.TcpConnection").error(ACCEPT_ERROR, EMFILE);
    }

    assertEquals(201, lines().size());
  }

  @Test
  void aLineTheLoggerDropsByLevelDoesNotOpenABurst() {
    throttle(AN_HOUR);
    listener.setLevel(Level.WARN);
    listener.debug(ACCEPT_ERROR);

    listener.error(ACCEPT_ERROR, EMFILE);

    assertEquals(1, lines().size(), "the error after the dropped debug line is logged");
  }

  @Test
  void concurrentAcceptErrorsAreEachCountedOnce() throws InterruptedException {
    RepeatedLineThrottle throttle = throttle(AN_HOUR);
    int threads = 4;
    int each = 2_500;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    for (int t = 0; t < threads; t++) {
      pool.execute(
          () -> {
            try {
              start.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return;
            }
            for (int i = 0; i < each; i++) {
              listener.error(ACCEPT_ERROR, EMFILE);
            }
          });
    }
    start.countDown();
    pool.shutdown();
    assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));

    throttle.endInterval();

    assertEquals(2, lines().size());
    assertTrue(lines().get(1).getFormattedMessage().contains("[" + (threads * each - 1) + " more in the last"));
  }

  @Test
  void theContextsSchedulerEndsEachIntervalByItself() throws InterruptedException {
    throttle(Duration.buildByMilliseconds(50));

    for (int i = 0; i < 10_000; i++) {
      listener.error(ACCEPT_ERROR, EMFILE);
    }

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (countedInSummaries() < 9_999) {
      assertTrue(System.nanoTime() < deadline, "the summaries did not come within 10 s of a 50 ms interval: " + lines());
      Thread.sleep(10); // the summaries come from logback's scheduler thread; there is nothing else to wait on
    }
    assertEquals(9_999, countedInSummaries(), "every suppressed line is counted once");
    assertEquals(1, lines().stream().filter(line -> line.getThrowableProxy() != null).count());
  }

  private long countedInSummaries() {
    return lines().stream()
        .map(ILoggingEvent::getFormattedMessage)
        .filter(message -> message.contains(" more in the last "))
        .mapToLong(message -> Long.parseLong(message.replaceAll(".*\\[(\\d+) more in the last .*", "$1")))
        .sum();
  }
}
