package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interactions.server.logging.ShippedLogback;
import dev.interactions.transport.auth.TestTokens;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real server (child JVM) in {@code jwt} mode, sent malformed requests that carry a real signed token where Pekko
 * HTTP quotes the raw input in its warnings: a bearer header it cannot parse, and a request-target it refuses with
 * {@code access_token} in the query. The whole log must not contain the token, its signature alone, or the server's own
 * secret, while still saying what was wrong.
 *
 * <p>Two layers keep them out, and each is shown holding on its own: Pekko's {@code error-logging-verbosity = simple}
 * (from our {@code reference.conf}) with a logback pattern that masks nothing, and our logback converters with Pekko
 * set back to quoting the input in full; then both, as shipped, and as shipped with Pekko logging at DEBUG (when a
 * refused request-target is logged too, by our parsing error handler, and Pekko says all it has to say).
 */
class SecretsStayOutOfTheLogTest {

  private static final String SECRET = TestTokens.SECRET;

  /** A requester token: valid and signed, so a leak of it would be a usable credential. */
  private static final String TOKEN = TestTokens.requester(SECRET, "backend");

  private static final String SIGNATURE = TOKEN.substring(TOKEN.lastIndexOf('.') + 1);

  /** Authorization values Pekko cannot parse as credentials; our authenticator refuses each with 401. */
  private static final List<String> MALFORMED_BEARER_HEADERS =
      List.of(
          "Bearer " + TOKEN + " junk",
          "Bearer \"" + TOKEN + "\"",
          "Bearer " + TOKEN + ";",
          "Bearer " + TOKEN + ",",
          "Bearer:" + TOKEN);

  /** Request-targets Pekko refuses with 400 before any route runs, each with the token in {@code access_token}. */
  private static final List<String> ILLEGAL_TARGETS =
      List.of(
          "/v1/sessions/s/ws?access_token=" + TOKEN + "&x=%zz",
          "/v1/sessions/s/ws?access_token=" + TOKEN + "&x=a|b",
          "/v1/sessions/s/ws?access_token=" + TOKEN + "&x=<",
          "/v1/sessions/s/ws?access_token=" + TOKEN + "%");

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"as shipped", "as shipped, Pekko at DEBUG", "Pekko settings alone", "logback masking alone"})
  void noTokenSignatureOrSecretReachesTheLog(String layers, @TempDir Path directory) throws Exception {
    List<String> settings = new ArrayList<>();
    settings.add(
        "logback.configurationFile="
            + (layers.equals("Pekko settings alone") ? testResource("logback-unmasked.xml") : ShippedLogback.file()));
    if (layers.equals("logback masking alone")) {
      settings.add("pekko.http.server.parsing.error-logging-verbosity=full");
    }
    boolean debug = layers.equals("as shipped, Pekko at DEBUG");
    if (debug) {
      settings.addAll(List.of("pekko.loglevel=DEBUG", "PEKKO_LOG_LEVEL=DEBUG"));
    }
    settings.addAll(
        List.of(
            "orchestrator.auth.mode=jwt",
            "orchestrator.auth.jwt.secret=" + SECRET,
            "orchestrator.persistence.store=memory"));
    Path log = directory.resolve("server.log");

    try (ServerProcess server = ServerProcess.start(log, settings.toArray(String[]::new))) {
      for (String header : MALFORMED_BEARER_HEADERS) {
        assertEquals(401, status(server.port, "GET /v1/sessions/s/interactions/i HTTP/1.1", header), header);
      }
      for (String target : ILLEGAL_TARGETS) {
        assertEquals(400, status(server.port, "GET " + target + " HTTP/1.1", null), target);
      }
      // Pekko logs asynchronously: wait for the lines themselves, which must still say what was wrong. The shipped
      // configuration logs the first of a burst of malformed headers and counts the rest (RepeatedLineThrottle).
      awaitLines(log, "WARN  o.a.p.a.ActorSystemImpl - Illegal header: Illegal 'authorization' header: Invalid input", 1);
      if (debug) {
        awaitLines(log, "refused a malformed request with 400: Illegal request-target: ", ILLEGAL_TARGETS.size());
      }
      server.terminate();
      assertTrue(server.awaitExit(60), "the server exits on SIGTERM");
    }

    String text = Files.readString(log, StandardCharsets.UTF_8);
    assertFalse(text.contains(SIGNATURE), "the token's signature was logged:\n" + text);
    assertFalse(text.contains(SECRET), "the server's secret was logged:\n" + text);
  }

  private static Path testResource(String name) throws URISyntaxException {
    return Path.of(SecretsStayOutOfTheLogTest.class.getResource("/" + name).toURI());
  }

  /** Sends one request as raw bytes, so that Pekko sees the malformed header or target exactly; returns the status. */
  private static int status(int port, String requestLine, String authorization) throws IOException {
    String request =
        requestLine
            + "\r\nHost: 127.0.0.1:"
            + port
            + (authorization == null ? "" : "\r\nAuthorization: " + authorization)
            + "\r\nConnection: close\r\n\r\n";
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      String statusLine = readLine(socket.getInputStream()); // "HTTP/1.1 401 Unauthorized"
      return Integer.parseInt(statusLine.split(" ", 3)[1]);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  private static void awaitLines(Path log, String marker, int count) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    long found = 0;
    while (System.nanoTime() < deadline) {
      found = Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(line -> line.contains(marker)).count();
      if (found >= count) {
        return;
      }
      Thread.sleep(50); // the log file gives no signal to wait on; polling it for the lines we expect is all there is
    }
    throw new AssertionError(
        "expected " + count + " lines with '" + marker + "', found " + found + ":\n" + Files.readString(log));
  }
}
