package dev.interactions.cli;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A device of a session over a real WebSocket (the JDK's): it sees the interactions pushed to the session and answers
 * or rejects them with the protocol's frames. The client library has no device side yet, so the test speaks the frames.
 */
final class WebSocketDevice implements WebSocket.Listener, AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long WAIT_SECONDS = 30;

  private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
  private final StringBuilder partial = new StringBuilder();
  private WebSocket socket;

  private WebSocketDevice() {}

  /** A device connected to {@code uri} that has been sent the session's pending interactions ({@code synced}). */
  static WebSocketDevice join(URI uri) throws Exception {
    WebSocketDevice device = new WebSocketDevice();
    device.socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .buildAsync(uri, device)
            .get(WAIT_SECONDS, TimeUnit.SECONDS);
    device.next("synced");
    return device;
  }

  /** The next interaction pushed to this device. */
  JsonNode nextInteraction() throws InterruptedException {
    return next("interaction");
  }

  void answer(String id, String valueJson) throws Exception {
    ObjectNode answer = JSON.createObjectNode().put("type", "answer").put("id", id);
    answer.set("value", JSON.readTree(valueJson));
    send(answer);
    next("ack");
  }

  void reject(String id, String reason) throws Exception {
    send(JSON.createObjectNode().put("type", "reject").put("id", id).put("reason", reason));
    next("ack");
  }

  private void send(JsonNode frame) throws Exception {
    socket.sendText(frame.toString(), true).get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /** The next frame of {@code type}; the frames before it are skipped. */
  private JsonNode next(String type) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (true) {
      JsonNode frame = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      assertNotNull(frame, "no " + type + " frame within " + WAIT_SECONDS + " s");
      if (type.equals(frame.path("type").asText())) {
        return frame;
      }
    }
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      try {
        frames.add(JSON.readTree(partial.toString()));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("the server sent a frame that is not JSON: " + partial, e);
      }
      partial.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public void close() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").orTimeout(WAIT_SECONDS, TimeUnit.SECONDS).join();
  }
}
