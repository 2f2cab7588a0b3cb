package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Clients that send their requests too slowly (issue 10, item 1): a trickled request head or body must not hold a
 * connection, nor lock anybody else out.
 */
class SlowRequestTest {

  /** Far above every bound below, so that only a server that never closes the connection fails. */
  private static final int CLOSE_WITHIN_MILLIS = 20_000;

  @Test
  void trickledRequestHeadsAboveTheConnectionCapAreClosedAndALegitimateClientGetsItsRoundTrip() throws Exception {
    int slowClients = 30;
    try (TestServer server =
            TestServer.start(
                """
                pekko.http.server.max-connections = 20
                orchestrator.http.request-head-timeout = 2s
                """);
        Trickle trickle = new Trickle(server.port(), slowClients)) {
      trickle.awaitStarted();

      // The cap is full of trickling clients; a real client must still get in, once the deadline frees their slots.
      CompletableFuture<String> answered =
          CompletableFuture.supplyAsync(() -> roundTrip(server, "slow-heads"), trickle.pool);
      assertEquals("true", answered.get(60, TimeUnit.SECONDS));

      for (int i = 0; i < slowClients; i++) {
        long millis = trickle.closedAfterMillis.get(i).get(60, TimeUnit.SECONDS);
        assertTrue(millis < CLOSE_WITHIN_MILLIS, "slow client " + i + " was held " + millis + " ms");
      }
    }
  }

  @Test
  void bodyThatDoesNotArriveInTimeIs408AndTheConnectionIsClosed() throws Exception {
    try (TestServer server = TestServer.start("orchestrator.http.request-body-timeout = 1s");
        Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.getOutputStream()
          .write(
              ("POST /v1/sessions/slow-body/interactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      + "Content-Length: 100\r\n\r\n{\"kind\":")
                  .getBytes(StandardCharsets.US_ASCII));
      socket.setSoTimeout(CLOSE_WITHIN_MILLIS);

      RawHttp.Response response = RawHttp.read(socket.getInputStream());

      assertEquals(408, response.status());
      assertEquals("request_timeout", response.json().path("error").path("code").asText());
      assertTrue(RawHttp.closedByServer(socket, CLOSE_WITHIN_MILLIS));
      assertEquals(0, server.get("/v1/sessions/slow-body").body().path("pending").asInt(), "nothing was created");
    }
  }

  @Test
  void idleKeepAliveConnectionIsClosedAfterTheHeadDeadlineButAnsweredBeforeIt() throws Exception {
    try (TestServer server = TestServer.start("orchestrator.http.request-head-timeout = 2s");
        Socket socket = new Socket("127.0.0.1", server.port())) {
      OutputStream out = socket.getOutputStream();
      out.write("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertEquals(200, RawHttp.read(socket.getInputStream()).status());
      out.write("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertEquals(200, RawHttp.read(socket.getInputStream()).status(), "the connection is kept alive meanwhile");

      assertTrue(RawHttp.closedByServer(socket, CLOSE_WITHIN_MILLIS));
    }
  }

  @Test
  void webSocketOutlivesTheHeadDeadlineOnceUpgraded() throws Exception {
    try (TestServer server = TestServer.start("orchestrator.http.request-head-timeout = 1s")) {
      try (WsClient client = WsClient.connect(server.ws("/v1/sessions/upgraded/ws"))) {
        client.next("welcome");
        client.next("synced");
        // Well past the head deadline, the socket still carries a whole round trip.
        Thread.sleep(3_000); // the point is elapsed time on an idle, upgraded connection
        String id = server.post("/v1/sessions/upgraded/interactions", "{\"kind\":\"approve\"}").body().path("id").asText();
        assertEquals(id, client.next("interaction").path("id").asText());
        client.send("{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":true}");
        assertEquals("ack", client.next("ack").path("type").asText());
      }
    }
  }

  /** A WebSocket client answers an interaction that a requester created over HTTP and waited for. */
  private static String roundTrip(TestServer server, String sessionId) {
    try (WsClient client = WsClient.connect(server.ws("/v1/sessions/" + sessionId + "/ws"))) {
      client.next("welcome");
      client.next("synced");
      CompletableFuture<TestServer.Reply> created =
          CompletableFuture.supplyAsync(
              () ->
                  server.post(
                      "/v1/sessions/" + sessionId + "/interactions?waitMs=30000",
                      "{\"kind\":\"approve\",\"timeoutMs\":60000}"));
      JsonNode interaction = client.next("interaction");
      client.send("{\"type\":\"answer\",\"id\":\"" + interaction.path("id").asText() + "\",\"value\":true}");
      return created.join().body().path("value").asText();
    }
  }

  /** {@code count} clients that each send a request head one byte every half second, and never finish it. */
  private static final class Trickle implements AutoCloseable {

    private static final byte[] HEAD =
        "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            .getBytes(StandardCharsets.US_ASCII);

    final ExecutorService pool = Executors.newCachedThreadPool();
    final List<CompletableFuture<Long>> closedAfterMillis = new ArrayList<>();
    private final List<CompletableFuture<Void>> started = new ArrayList<>();

    Trickle(int port, int count) {
      for (int i = 0; i < count; i++) {
        CompletableFuture<Void> connected = new CompletableFuture<>();
        started.add(connected);
        closedAfterMillis.add(CompletableFuture.supplyAsync(() -> trickle(port, connected), pool));
      }
    }

    void awaitStarted() throws Exception {
      CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }

    /** How long the server let this client trickle before closing its connection. */
    private long trickle(int port, CompletableFuture<Void> connected) {
      long start = System.nanoTime();
      try (Socket socket = new Socket("127.0.0.1", port)) {
        connected.complete(null);
        OutputStream out = socket.getOutputStream();
        for (int i = 0; i < HEAD.length; i++) {
          out.write(HEAD[i]);
          out.flush();
          // The wait between bytes is the attack: a read with a timeout both paces it and notices the close.
          if (RawHttp.closedByServer(socket, 500)) {
            break;
          }
        }
      } catch (IOException closed) {
        // a write to a connection the server closed: that is the outcome this client waits for
      }
      return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Override
    public void close() {
      pool.shutdownNow();
    }
  }
}
