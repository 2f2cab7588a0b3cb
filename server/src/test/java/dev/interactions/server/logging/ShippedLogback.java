package dev.interactions.server.logging;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The server's own {@code logback.xml}, found beside its classes rather than as a class-path resource: the test class
 * path also holds the orchestrator's {@code logback-test.xml}, which logback would prefer, and which is not what an
 * operator runs.
 */
public final class ShippedLogback {

  private ShippedLogback() {}

  /** The file. */
  public static Path file() {
    try {
      Path classes = Path.of(SecretRedaction.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path shipped = classes.resolve("logback.xml");
      assertTrue(Files.isRegularFile(shipped), "the server's logback.xml beside its classes: " + shipped);
      return shipped;
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }
}
