package dev.interactions.server.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.core.status.Status;
import dev.interactions.transport.auth.TestTokens;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server's {@code logback.xml}, loaded into a logback context of its own: what its lines look like. */
class ShippedLogbackConfigurationTest {

  private static final String TOKEN = TestTokens.requester(TestTokens.SECRET, "backend");
  private static final String SIGNATURE = TOKEN.substring(TOKEN.lastIndexOf('.') + 1);

  private final LoggerContext context = new LoggerContext();
  private Logger root;

  @BeforeEach
  void loadTheShippedConfiguration() throws JoranException, IOException {
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(ShippedLogback.file().toUri().toURL());
    for (Status status : context.getStatusManager().getCopyOfStatusList()) {
      assertTrue(status.getLevel() < Status.WARN, "logback complains about logback.xml: " + status);
    }
    root = context.getLogger(Logger.ROOT_LOGGER_NAME);
  }

  @AfterEach
  void stop() {
    context.stop();
  }

  @SuppressWarnings("unchecked")
  private String layOut(ILoggingEvent event) {
    Layout<ILoggingEvent> layout =
        ((LayoutWrappingEncoder<ILoggingEvent>)
                ((OutputStreamAppender<ILoggingEvent>) root.getAppender("STDOUT")).getEncoder())
            .getLayout();
    return layout.doLayout(event);
  }

  @Test
  void aMessageAndAStackTraceAreWrittenWithoutTheCredentialsTheyQuote() {
    LoggingEvent event =
        new LoggingEvent(
            Logger.class.getName(),
            context.getLogger("org.apache.pekko.actor.ActorSystemImpl"),
            Level.WARN,
            "Illegal header: Illegal 'authorization' header: Invalid input 'j' (line 1, column 222): Bearer {} junk",
            new IllegalArgumentException("cannot parse /v1/sessions/s/ws?access_token=" + TOKEN + "&x=%zz"),
            new Object[] {TOKEN});

    String line = layOut(event);

    assertFalse(line.contains(SIGNATURE), line);
    assertTrue(line.contains("Illegal 'authorization' header: Invalid input 'j'"), "still says what was wrong: " + line);
    assertTrue(line.contains("Bearer [redacted] junk"), line);
    assertTrue(line.contains("access_token=[redacted]&x=%zz"), "the stack trace is masked too: " + line);
    assertTrue(line.contains("at dev.interactions.server.logging."), "the stack trace is there: " + line);
  }

  @Test
  void pekkosAcceptErrorsAreThrottled() {
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.setContext(context);
    lines.start();
    root.detachAppender("STDOUT");
    root.addAppender(lines);
    Logger listener = context.getLogger("org.apache.pekko.io.TcpListener");

    for (int i = 0; i < 10_000; i++) {
      listener.error("Accept error: could not accept new connection", new IOException("Too many open files"));
    }

    assertEquals(1, lines.list.size(), "one line in full, the rest counted for the summary");
    assertNotNull(lines.list.get(0).getThrowableProxy());
  }
}
