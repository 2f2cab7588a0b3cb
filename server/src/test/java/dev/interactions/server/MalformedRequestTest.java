package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * Bad input over a bare socket (issue 10, items 3 and 6): every refusal is the documented JSON error body with the
 * status that fits, whoever produces it (our routes or Pekko HTTP's parser), and nothing is logged above DEBUG.
 */
class MalformedRequestTest {

  private static final String CREATE = "/v1/sessions/malformed/interactions";

  private static TestServer server;
  private static final ListAppender<ILoggingEvent> log = new ListAppender<>();

  @BeforeAll
  static void start() {
    server = TestServer.start("");
    log.start();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(log);
  }

  @AfterAll
  static void stop() {
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(log);
    server.close();
  }

  @AfterEach
  void nothingWorseThanDebugWasLogged() {
    List<ILoggingEvent> loud =
        List.copyOf(log.list).stream().filter(event -> event.getLevel().isGreaterOrEqual(Level.WARN)).toList();
    log.list.clear();
    assertTrue(loud.isEmpty(), () -> "logged: " + loud.stream().map(ILoggingEvent::getFormattedMessage).toList());
    assertEquals(0, server.get("/v1/sessions/malformed").body().path("pending").asInt(), "nothing was created");
  }

  @ParameterizedTest
  @ValueSource(longs = {262_145, 8_388_609, 10_000_000, 50_000_000})
  void bodyAnnouncedOverTheLimitIs413(long contentLength) {
    RawHttp.Response response =
        RawHttp.exchange(
            server.port(),
            post(CREATE, "Content-Type: application/json\r\nContent-Length: " + contentLength + "\r\n") + "{\"kind\":");

    assertError(response, 413, "too_large");
  }

  @Test
  void chunkedBodyWithOneChunkOverTheChunkLimitIs413() {
    String chunkSize = Integer.toHexString(1024 * 1024 + 1);
    RawHttp.Response response =
        RawHttp.exchange(
            server.port(),
            post(CREATE, "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n") + chunkSize + "\r\n{\"k");

    assertError(response, 413, "too_large");
  }

  @Test
  void chunkedBodyOfSmallChunksAddingUpOverTheLimitIs413() {
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    request.writeBytes(
        post(CREATE, "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n").getBytes(StandardCharsets.US_ASCII));
    String chunk = "4000\r\n" + " ".repeat(0x4000) + "\r\n";
    for (int i = 0; i < 20; i++) { // 320 KiB of whitespace, over the 256 KiB limit
      request.writeBytes(chunk.getBytes(StandardCharsets.US_ASCII));
    }
    request.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

    assertError(RawHttp.exchange(server.port(), request.toByteArray()), 413, "too_large");
  }

  @Test
  void bodyThatIsNotUtf8Is400BadMessage() {
    byte[] body = {'{', '"', 'k', 'i', 'n', 'd', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'};
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    request.writeBytes(
        post(CREATE, "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    request.writeBytes(body);

    assertError(RawHttp.exchange(server.port(), request.toByteArray()), 400, "bad_message");
  }

  @ParameterizedTest
  @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "text/json"})
  void bodyThatIsNotJsonIs415(String contentType) {
    String body = "{\"kind\":\"approve\"}";
    RawHttp.Response response =
        RawHttp.exchange(
            server.port(),
            post(CREATE, "Content-Type: " + contentType + "\r\nContent-Length: " + body.length() + "\r\n") + body);

    assertError(response, 415, "unsupported_media_type");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a%2Fb", "%C3%BC", "x%20y"})
  void interactionIdOutsideTheIdRuleIs400NamingId(String id) {
    assertBadId(get(CREATE + "/" + id));
    assertBadId(RawHttp.exchange(server.port(), "DELETE " + CREATE + "/" + id + " HTTP/1.1\r\nHost: x\r\n\r\n"));
  }

  @Test
  void interactionIdOf129CharactersIs400NamingId() {
    assertBadId(get(CREATE + "/" + "a".repeat(129)));
  }

  @Test
  void requestTargetTooLongIs414() {
    assertError(get("/v1/sessions/" + "a".repeat(3000)), 414, "uri_too_long");
  }

  @Test
  void headersTooLargeAre431() {
    RawHttp.Response response =
        RawHttp.exchange(server.port(), "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(9000) + "\r\n\r\n");

    assertError(response, 431, "headers_too_large");
  }

  @Test
  void unsupportedHttpVersionIs505() {
    assertError(RawHttp.exchange(server.port(), "GET /health/live HTTP/1.2\r\nHost: x\r\n\r\n"), 505, "http_version_not_supported");
  }

  @Test
  void unknownMethodIs501() {
    assertError(RawHttp.exchange(server.port(), "FROB /health/live HTTP/1.1\r\nHost: x\r\n\r\n"), 501, "not_implemented");
  }

  @ParameterizedTest
  @ValueSource(strings = {"x=%zz", "x=a|b", "x=<", "x=%"})
  void illegalRequestTargetIs400(String query) {
    assertError(get("/v1/sessions/malformed/ws?" + query), 400, "bad_request");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/health/live", "/v1/sessions/malformed", "/client.js"})
  void headOnAGetResourceIs200WithoutABody(String path) {
    RawHttp.Response response =
        RawHttp.exchangeHead(server.port(), "HEAD " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

    assertEquals(200, response.status());
    assertEquals("", response.body());
  }

  private static void assertBadId(RawHttp.Response response) {
    assertError(response, 400, "bad_request");
    assertTrue(response.json().path("error").path("message").asText().startsWith("id:"), response.body());
  }

  private static void assertError(RawHttp.Response response, int status, String code) {
    assertEquals(status, response.status(), response.body());
    assertTrue(response.header("Content-Type").startsWith("application/json"), response.headers().toString());
    assertEquals(code, response.json().path("error").path("code").asText(), response.body());
    String message = response.json().path("error").path("message").asText();
    assertFalse(message.isBlank());
    assertFalse(message.contains("dev.interactions") || message.contains("pekko"), message);
  }

  private static RawHttp.Response get(String target) {
    return RawHttp.exchange(server.port(), "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
  }

  private static String post(String target, String headers) {
    return "POST " + target + " HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n";
  }
}
