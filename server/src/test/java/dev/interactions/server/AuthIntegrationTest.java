package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.auth0.jwt.JWT;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import dev.interactions.api.Orchestrator;
import dev.interactions.protocol.WireCodec;
import dev.interactions.transport.auth.TestTokens;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A server in {@code jwt} mode, over real sockets: who gets in, what each kind of token allows, where a token may
 * travel (header, and the {@code access_token} parameter for browser streams only), and which origins may open a
 * WebSocket. Also the one refusal at start-up: no auth on a non-loopback address.
 */
class AuthIntegrationTest {

  private static final String SECRET = TestTokens.SECRET;
  private static final String OTHER_SECRET = "another-secret-that-is-long-enough-0123";
  private static final String REQUESTER = TestTokens.requester(SECRET, "backend");

  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start(jwt("orchestrator.transport.allowed-origins = [\"https://app.example\"]"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  // --- requesters --------------------------------------------------------------------------------------------------

  @Test
  void requesterEndpointsWithoutATokenAnswer401WithAJsonError() {
    for (TestServer.Reply reply :
        List.of(
            server.post("/v1/sessions/anonymous/interactions", interaction()),
            server.get("/v1/sessions/anonymous/interactions/some-id"),
            server.delete("/v1/sessions/anonymous/interactions/some-id"),
            server.get("/v1/sessions/anonymous"))) {
      assertUnauthorized(reply, "missing bearer token");
    }
  }

  @Test
  void tokenSignedWithAnotherSecretIsUnauthorized() {
    String forged = TestTokens.requester(OTHER_SECRET, "forger");

    assertUnauthorized(
        server.post("/v1/sessions/forged/interactions", interaction(), bearer(forged)), "invalid token signature");
  }

  @Test
  void expiredTokenIsUnauthorized() {
    String expired = TestTokens.expired(SECRET, "late", "expired");

    assertUnauthorized(server.get("/v1/sessions/expired", bearer(expired)), "token expired");
  }

  @Test
  void tokenNamingAnUnknownCriticalHeaderExtensionIsUnauthorized() {
    String critical =
        TestTokens.claims("backend")
            .withArrayClaim("sessions", new String[] {"*"})
            .withClaim("scope", TestTokens.REQUESTER_SCOPE)
            .withHeader(Map.of("crit", List.of("x-must-understand"), "x-must-understand", true))
            .sign(TestTokens.hs256(SECRET));
    assertEquals(200, server.get("/v1/sessions/critical", bearer(REQUESTER)).status(), "the same call without crit");

    assertUnauthorized(
        server.get("/v1/sessions/critical", bearer(critical)),
        "token requires header extensions this server does not support (crit)");
  }

  @Test
  void requesterTokenInTheQueryIsNotAcceptedByRequesterEndpoints() {
    assertUnauthorized(
        server.post("/v1/sessions/query/interactions?access_token=" + REQUESTER, interaction()),
        "missing bearer token");
  }

  @Test
  void clientTokenMayNotRequestInteractions() {
    String client = TestTokens.client(SECRET, "user-1", "no-scope");

    TestServer.Reply reply = server.post("/v1/sessions/no-scope/interactions", interaction(), bearer(client));

    assertEquals(403, reply.status());
    assertEquals("forbidden", reply.body().path("error").path("code").asText());
  }

  @Test
  void requesterTokenCreatesAnInteraction() {
    TestServer.Reply reply = server.post("/v1/sessions/requested/interactions", interaction(), bearer(REQUESTER));

    assertEquals(201, reply.status(), String.valueOf(reply.body()));
    assertEquals("pending", reply.body().path("status").asText());
  }

  // --- metrics -----------------------------------------------------------------------------------------------------

  @Test
  void metricsNeedABearerTokenWithTheMetricsScope() {
    String scraper =
        TestTokens.claims("prometheus").withClaim("scope", "interactions:metrics").sign(TestTokens.hs256(SECRET));

    assertUnauthorized(server.get("/metrics"), "missing bearer token");
    assertUnauthorized(server.get("/metrics?access_token=" + scraper), "missing bearer token");
    TestServer.Reply requester = server.get("/metrics", bearer(REQUESTER));
    assertEquals(403, requester.status(), String.valueOf(requester.body()));
    assertEquals("forbidden", requester.body().path("error").path("code").asText());
    server.getText("/metrics", bearer(scraper)); // 200, or it fails (what it holds depends on Kamon having started)
  }

  // --- WebSocket clients -------------------------------------------------------------------------------------------

  @Test
  void webSocketUpgradeWithoutATokenIsRefusedWith401() {
    assertEquals(401, refusedUpgrade(server.ws("/v1/sessions/no-token/ws")));
  }

  @Test
  void webSocketWithABearerTokenForItsSessionIsWelcomed() {
    String token = TestTokens.client(SECRET, "user-1", "by-header");

    try (WsClient client = WsClient.connect(server.ws("/v1/sessions/by-header/ws"), bearer(token))) {
      assertEquals("by-header", client.next("welcome").path("sessionId").asText());
    }
  }

  @Test
  void webSocketWithTheTokenAsAccessTokenParameterIsWelcomed() {
    String token = TestTokens.client(SECRET, "user-1", "by-query");

    try (WsClient client = WsClient.connect(server.ws("/v1/sessions/by-query/ws?access_token=" + token))) {
      assertEquals("by-query", client.next("welcome").path("sessionId").asText());
    }
  }

  @Test
  void webSocketWithATokenForAnotherSessionIsForbidden() {
    String token = TestTokens.client(SECRET, "user-1", "mine");

    assertEquals(403, refusedUpgrade(server.ws("/v1/sessions/theirs/ws"), bearer(token)));
  }

  @Test
  void webSocketFromAnOriginNotAllowedIsForbidden() {
    String token = TestTokens.client(SECRET, "user-1", "origin");

    int status =
        refusedUpgrade(
            server.ws("/v1/sessions/origin/ws"), "Authorization", "Bearer " + token, "Origin", "https://evil.example");

    assertEquals(403, status);
  }

  @Test
  void webSocketFromAnAllowedOriginIsWelcomed() {
    String token = TestTokens.client(SECRET, "user-1", "origin");

    try (WsClient client =
        WsClient.connect(
            server.ws("/v1/sessions/origin/ws"), "Authorization", "Bearer " + token, "Origin", "https://app.example")) {
      assertEquals("origin", client.next("welcome").path("sessionId").asText());
    }
  }

  // --- answering ---------------------------------------------------------------------------------------------------

  @Test
  void clientTokenMayAnswerAnInteractionOfItsSession() {
    String id = create("answered-over-http");
    String client = TestTokens.client(SECRET, "user-7", "answered-over-http");

    TestServer.Reply reply =
        server.post(
            "/v1/sessions/answered-over-http/interactions/" + id + "/answer", "{\"value\":true}", bearer(client));

    assertEquals(200, reply.status(), String.valueOf(reply.body()));
    JsonNode outcome = read("answered-over-http", id);
    assertEquals("answered", outcome.path("status").asText());
    assertEquals("http:user-7", outcome.path("answeredBy").asText());
  }

  @Test
  void clientTokenMayNotAnswerAnInteractionOfAnotherSession() {
    String id = create("not-yours-http");
    String client = TestTokens.client(SECRET, "user-7", "yours-http");

    TestServer.Reply reply =
        server.post("/v1/sessions/not-yours-http/interactions/" + id + "/answer", "{\"value\":true}", bearer(client));

    assertEquals(403, reply.status());
    assertEquals("pending", read("not-yours-http", id).path("status").asText());
  }

  @Test
  void webSocketClientAnswersAnInteractionOfItsSession() {
    String id = create("answered-over-ws");
    String token = TestTokens.client(SECRET, "user-8", "answered-over-ws");

    try (WsClient client = WsClient.connect(server.ws("/v1/sessions/answered-over-ws/ws"), bearer(token))) {
      client.next("welcome");
      assertEquals(id, client.next("interaction").path("id").asText());
      client.send("{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":true}");
      client.next("ack");
    }

    assertEquals("answered", read("answered-over-ws", id).path("status").asText());
  }

  @Test
  void webSocketClientCannotAnswerAnInteractionOfAnotherSession() {
    String id = create("victim");
    String token = TestTokens.client(SECRET, "intruder", "intruder");

    try (WsClient intruder = WsClient.connect(server.ws("/v1/sessions/intruder/ws"), bearer(token))) {
      intruder.next("welcome");
      intruder.send("{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":true,\"ref\":\"r1\"}");

      JsonNode error = intruder.next("error");
      assertEquals("unknown_interaction", error.path("code").asText());
      assertEquals("r1", error.path("ref").asText());
    }
    assertEquals("pending", read("victim", id).path("status").asText());
  }

  // --- Server-Sent Events ------------------------------------------------------------------------------------------

  @Test
  void eventStreamAcceptsTheTokenAsAccessTokenParameter() throws Exception {
    String token = TestTokens.client(SECRET, "user-1", "sse");

    JsonNode welcome = firstEvent(server.http("/v1/sessions/sse/events?access_token=" + token));

    assertEquals("welcome", welcome.path("type").asText());
    assertEquals("sse", welcome.path("sessionId").asText());
  }

  // --- token expiry ------------------------------------------------------------------------------------------------

  @Test
  void webSocketAndEventStreamAreToldTheirTokenExpiredAndClosedOnceItsExpiryAndLeewayPass() throws Exception {
    try (TestServer expiring = TestServer.start(jwt("orchestrator.auth.jwt.leeway = 1s"))) {
      // Long enough to be accepted on a busy machine, short enough to expire during the test.
      Instant expiry = Instant.now().plusSeconds(5).truncatedTo(ChronoUnit.SECONDS);
      String token =
          JWT.create()
              .withSubject("user-1")
              .withExpiresAt(expiry)
              .withArrayClaim("sessions", new String[] {"expiring"})
              .sign(TestTokens.hs256(SECRET));
      CompletableFuture<List<String>> events =
          CompletableFuture.supplyAsync(() -> eventData(expiring.http("/v1/sessions/expiring/events?access_token=" + token)));

      try (WsClient client = WsClient.connect(expiring.ws("/v1/sessions/expiring/ws"), bearer(token))) {
        client.next("welcome");
        client.next("synced");

        JsonNode error = client.next("error");
        Instant told = Instant.now();

        assertEquals("token_expired", error.path("code").asText(), error.toString());
        assertFalse(told.isBefore(expiry.plusSeconds(1)), "told at " + told + ", before exp + leeway " + expiry.plusSeconds(1));
        assertEquals(1000, client.awaitClosedByServer());
      }
      List<String> data = events.get(30, TimeUnit.SECONDS);
      assertTrue(data.get(data.size() - 1).contains("\"code\":\"token_expired\""), "the stream ends with the error: " + data);
    }
  }

  // --- start-up ----------------------------------------------------------------------------------------------------

  @Test
  void serverWithoutAuthRefusesToStartOnTheWildcardAddressAndBindsNothing() throws Exception {
    int port = freePort();
    Config config =
        ConfigFactory.parseString(
                "orchestrator.http.host = \"0.0.0.0\"\n"
                    + "orchestrator.http.port = " + port + "\n"
                    + "orchestrator.auth.mode = none\n")
            .withFallback(ConfigFactory.load())
            .resolve();
    Orchestrator orchestrator = Orchestrator.start(config);
    try {
      IllegalStateException refused =
          assertThrows(IllegalStateException.class, () -> Server.start(orchestrator, config));

      String message = refused.getMessage();
      assertTrue(message.contains("'0.0.0.0'"), message);
      assertTrue(message.contains("orchestrator.auth.mode = jwt"), message);
      assertTrue(message.contains("orchestrator.auth.jwt.secret"), message);
      assertTrue(message.contains("127.0.0.1"), message);
      assertNothingListensOn(port);
    } finally {
      orchestrator.close();
    }
  }

  // --- logs --------------------------------------------------------------------------------------------------------

  @Test
  void accessTokenNeverAppearsInTheServerLog() throws Exception {
    String welcomed = TestTokens.client(SECRET, "user-1", "logged");
    String forbidden = TestTokens.client(SECRET, "user-1", "elsewhere");
    String expired = TestTokens.expired(SECRET, "user-1", "logged");
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger pekko = (Logger) LoggerFactory.getLogger("org.apache.pekko");
    Logger ours = (Logger) LoggerFactory.getLogger("dev.interactions");
    Level pekkoLevel = pekko.getLevel();
    Level ourLevel = ours.getLevel();
    log.start();
    root.addAppender(log);
    pekko.setLevel(Level.DEBUG);
    ours.setLevel(Level.DEBUG);
    try {
      // Debug logging everywhere, so that anything that would print a request line gets its chance.
      try (TestServer logged = TestServer.start(jwt("pekko.loglevel = DEBUG"))) {
        try (WsClient client = WsClient.connect(logged.ws("/v1/sessions/logged/ws?access_token=" + welcomed))) {
          client.next("welcome");
        }
        assertEquals(403, refusedUpgrade(logged.ws("/v1/sessions/logged/ws?access_token=" + forbidden)));
        assertEquals(401, refusedUpgrade(logged.ws("/v1/sessions/logged/ws?access_token=" + expired)));
        JsonNode event = firstEvent(logged.http("/v1/sessions/logged/events?access_token=" + welcomed));
        assertEquals("welcome", event.path("type").asText());
      } // closing terminates the actor system, which flushes its log events
    } finally {
      root.detachAppender(log);
      pekko.setLevel(pekkoLevel);
      ours.setLevel(ourLevel);
      log.stop();
    }

    assertFalse(log.list.isEmpty(), "nothing was logged: the check below would prove nothing");
    for (ILoggingEvent event : List.copyOf(log.list)) {
      String text =
          event.getFormattedMessage()
              + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy()))
              + event.getMDCPropertyMap();
      for (String token : List.of(welcomed, forbidden, expired)) {
        String signature = token.substring(token.lastIndexOf('.') + 1);
        assertFalse(text.contains(signature), "a token was logged by " + event.getLoggerName() + ": " + text);
      }
    }
  }

  // --- helpers -----------------------------------------------------------------------------------------------------

  /** Overrides for a server verifying HS256 tokens signed with {@link #SECRET}, plus {@code overrides}. */
  private static String jwt(String overrides) {
    Config auth = TestTokens.config(SECRET).getConfig("orchestrator.auth");
    return "orchestrator.auth = " + auth.root().render(ConfigRenderOptions.concise()) + "\n" + overrides;
  }

  private static String[] bearer(String token) {
    return new String[] {"Authorization", "Bearer " + token};
  }

  private static String interaction() {
    return "{\"kind\":\"approve\",\"payload\":{},\"timeoutMs\":60000}";
  }

  private static String create(String sessionId) {
    TestServer.Reply reply =
        server.post("/v1/sessions/" + sessionId + "/interactions", interaction(), bearer(REQUESTER));
    assertEquals(201, reply.status(), String.valueOf(reply.body()));
    return reply.body().path("id").asText();
  }

  private static JsonNode read(String sessionId, String id) {
    TestServer.Reply reply = server.get("/v1/sessions/" + sessionId + "/interactions/" + id, bearer(REQUESTER));
    assertEquals(200, reply.status(), String.valueOf(reply.body()));
    return reply.body();
  }

  private static void assertUnauthorized(TestServer.Reply reply, String message) {
    assertEquals(401, reply.status(), String.valueOf(reply.body()));
    assertEquals("unauthorized", reply.body().path("error").path("code").asText(), reply.body().toString());
    assertEquals(message, reply.body().path("error").path("message").asText());
  }

  /** The HTTP status with which the server refused the WebSocket upgrade. */
  private static int refusedUpgrade(URI uri, String... headers) {
    CompletionException failure = assertThrows(CompletionException.class, () -> WsClient.connect(uri, headers).close());
    WebSocketHandshakeException refused = assertInstanceOf(WebSocketHandshakeException.class, failure.getCause());
    return refused.getResponse().statusCode();
  }

  /** Opens an event stream and returns the data of its first event; the stream is closed afterwards. */
  private static JsonNode firstEvent(URI uri) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build();
    HttpResponse<InputStream> response =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      assertEquals(200, response.statusCode());
      assertEquals("text/event-stream", response.headers().firstValue("Content-Type").orElse(""));
      BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
      // Closing the body in the end unblocks the reader should no event ever come.
      String data = CompletableFuture.supplyAsync(() -> firstData(lines)).get(30, TimeUnit.SECONDS);
      return WireCodec.mapper().readTree(data);
    }
  }

  /** Reads an event stream to its end and returns the data of every event. */
  private static List<String> eventData(URI uri) {
    try {
      HttpResponse<InputStream> response =
          HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, response.statusCode());
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        return lines.lines().filter(line -> line.startsWith("data:")).map(line -> line.substring(5).strip()).toList();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String firstData(BufferedReader lines) {
    try {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.startsWith("data:")) {
          return line.substring("data:".length()).strip();
        }
      }
      throw new AssertionError("the event stream ended without an event");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void assertNothingListensOn(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      throw new AssertionError("something listens on port " + port);
    } catch (ConnectException refused) {
      // nothing bound
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
