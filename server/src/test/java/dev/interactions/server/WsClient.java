package dev.interactions.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.interactions.protocol.WireCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A real WebSocket client (the JDK's) that records every text message it receives, as JSON. */
public final class WsClient implements WebSocket.Listener, AutoCloseable {

  private static final long WAIT_SECONDS = 20;

  private final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private final AtomicLong bytesReceived = new AtomicLong();
  private WebSocket socket;

  private WsClient() {}

  /** Connects to {@code uri} with optional extra headers (name, value, ...). */
  /** A client of {@code server}'s session {@code sessionId} that has read its welcome and the replay's end. */
  public static WsClient joined(TestServer server, String sessionId) {
    WsClient device = connect(server.ws("/v1/sessions/" + sessionId + "/ws"));
    device.next("welcome");
    device.next("synced");
    return device;
  }

  public static WsClient connect(URI uri, String... headers) {
    WsClient client = new WsClient();
    WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    client.socket = builder.buildAsync(uri, client).orTimeout(WAIT_SECONDS, TimeUnit.SECONDS).join();
    return client;
  }

  /**
   * The next message, failing the test if none arrives in time. The {@code synced} marker that follows each replay is
   * skipped; ask for it with {@code next("synced")}.
   */
  public JsonNode next() {
    JsonNode next = nextIncludingSynced();
    return next.path("type").asText().equals("synced") ? next() : next;
  }

  private JsonNode nextIncludingSynced() {
    try {
      JsonNode next = received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      if (next == null) {
        throw new AssertionError("no message within " + WAIT_SECONDS + " s");
      }
      return next;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * The next message of any type ({@code synced} included), waiting up to {@code within}: for what only comes after a
   * slow event, such as a session's failover to another node.
   */
  public JsonNode nextWithin(Duration within) {
    try {
      JsonNode next = received.poll(within.toMillis(), TimeUnit.MILLISECONDS);
      if (next == null) {
        throw new AssertionError("no message within " + within.toMillis() + " ms");
      }
      return next;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Whether the server closed this socket (or it failed) so far. */
  public boolean closedByServer() {
    return closed.isDone();
  }

  /** The next message, which must be of {@code type}. */
  public JsonNode next(String type) {
    JsonNode next = type.equals("synced") ? nextIncludingSynced() : next();
    if (!type.equals(next.path("type").asText())) {
      throw new AssertionError("expected a " + type + " message, got " + next);
    }
    return next;
  }

  /** Sends a text message. */
  public void send(String text) {
    socket.sendText(text, true).join();
  }

  /** Answers interaction {@code id} with {@code valueJson} and returns the server's {@code ack}. */
  public JsonNode answer(String id, String valueJson) {
    send("{\"type\":\"answer\",\"id\":" + TextNode.valueOf(id) + ",\"value\":" + valueJson + "}");
    return next("ack");
  }

  /** Rejects interaction {@code id} with {@code reason} and returns the server's {@code ack}. */
  public JsonNode reject(String id, String reason) {
    send("{\"type\":\"reject\",\"id\":" + TextNode.valueOf(id) + ",\"reason\":" + TextNode.valueOf(reason) + "}");
    return next("ack");
  }

  /** Sends a binary message. */
  public void sendBinary(byte[] data) {
    socket.sendBinary(ByteBuffer.wrap(data), true).join();
  }

  /** Sends a text message in several frames (a streamed message on the server). */
  public void sendFragmented(String... parts) {
    for (int i = 0; i < parts.length; i++) {
      socket.sendText(parts[i], i == parts.length - 1).join();
    }
  }

  /** The close code the server sent, once it closed. */
  public int awaitClosedByServer() {
    return closed.orTimeout(WAIT_SECONDS, TimeUnit.SECONDS).join();
  }

  /** UTF-8 bytes of every text message received so far (counted before it is queued for {@link #next()}). */
  public long bytesReceived() {
    return bytesReceived.get();
  }

  /** Drops the TCP connection without a close frame. */
  public void abort() {
    socket.abort();
  }

  @Override
  public void close() {
    if (!socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(WAIT_SECONDS, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
    socket.abort();
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      bytesReceived.addAndGet(partial.toString().getBytes(StandardCharsets.UTF_8).length);
      received.add(WireCodec.mapper().valueToTree(parse(partial.toString())));
      partial.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.complete(-1);
  }

  private static JsonNode parse(String json) {
    try {
      return WireCodec.mapper().readTree(json);
    } catch (Exception e) {
      throw new AssertionError("server sent invalid JSON: " + json, e);
    }
  }
}
