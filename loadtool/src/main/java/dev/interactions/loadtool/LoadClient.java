package dev.interactions.loadtool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One WebSocket client of one session, as a person's device: it pings to stay alive, claims the interactions it is
 * shown, and acts on each claimed one as its {@link Fate} says (answer, reject, drop its socket, disconnect, or leave it
 * alone). It lives for one connection; the {@link ClientFleet} replaces it with a new one when it ends.
 */
final class LoadClient implements WebSocket.Listener {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

  /** How long a clean close may wait for the server's close frame before the socket is aborted (and that counted). */
  static final Duration CLOSE_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

  private static final String PING = "{\"type\":\"ping\"}";

  private final ObjectMapper json;
  private final Claims claims;
  private final Tally tally;
  private final ScheduledExecutorService timers;
  private final Consumer<LoadClient> onEnd;
  private final StringBuilder partial = new StringBuilder();
  private final AtomicBoolean ended = new AtomicBoolean();
  private final CompletableFuture<Void> end = new CompletableFuture<>();
  private volatile WebSocket socket;
  private volatile boolean leaving;
  private volatile ScheduledFuture<?> pings;
  private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);

  /** @param onEnd told once when this client's connection is over, however it ended */
  LoadClient(
      ObjectMapper json, Claims claims, Tally tally, ScheduledExecutorService timers, Consumer<LoadClient> onEnd) {
    this.json = json;
    this.claims = claims;
    this.tally = tally;
    this.timers = timers;
    this.onEnd = onEnd;
  }

  /** Opens the WebSocket at {@code uri}; the returned stage completes when it is open or has failed (and ended). */
  CompletableFuture<Void> connect(HttpClient http, URI uri) {
    return http.newWebSocketBuilder()
        .connectTimeout(CONNECT_TIMEOUT)
        .buildAsync(uri, this)
        .handle(
            (webSocket, failure) -> {
              if (failure != null) {
                tally.error("ws connect: " + describe(failure));
                ended();
              }
              return null;
            });
  }

  /** Completes when the connection is over. */
  CompletableFuture<Void> end() {
    return end;
  }

  /** Closes cleanly at the end of the run: close frame, then the server's close frame, or an abort after a timeout. */
  void close() {
    leave();
  }

  /** Drops the connection at once without a close frame: fate {@code drop}, or a client that would not close in time. */
  synchronized void abort() {
    leaving = true;
    if (socket != null) {
      socket.abort();
    }
    ended();
  }

  @Override
  public synchronized void onOpen(WebSocket webSocket) {
    if (ended.get()) {
      // Given up on while it was still connecting (the run is closing its clients): it must not stay open.
      webSocket.abort();
      return;
    }
    socket = webSocket;
    tally.clientConnected();
    webSocket.request(1);
    if (leaving) {
      sendClose();
    }
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      String text = partial.toString();
      partial.setLength(0);
      receive(text);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    if (!leaving) {
      tally.error("ws closed by the server: " + statusCode);
    }
    ended();
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    if (!leaving) {
      tally.error("ws failed: " + describe(error));
    }
    ended();
  }

  private void receive(String text) {
    JsonNode frame;
    try {
      frame = json.readTree(text);
    } catch (IOException e) {
      tally.error("ws frame is not JSON");
      return;
    }
    switch (frame.path("type").asText()) {
      case "welcome" -> startPinging(frame.path("heartbeatMs").asLong(15_000));
      case "interaction" -> shown(frame.path("id").asText(), frame.path("payload").path("fate").asText());
      case "error" -> refused(frame.path("code").asText());
      default -> {
        // closed, ack, synced, pong and frame types added later need nothing from a load client.
      }
    }
  }

  /** Pings at half the heartbeat, as the protocol advises, so the server's liveness check never closes us. */
  private void startPinging(long heartbeatMs) {
    long every = Math.max(100, heartbeatMs / 2);
    pings = timers.scheduleAtFixedRate(() -> send(PING), every, every, TimeUnit.MILLISECONDS);
  }

  private void shown(String id, String fateName) {
    if (leaving || !claims.claim(id)) {
      return;
    }
    Fate fate = Fate.named(fateName).orElse(null);
    if (fate == null) {
      // Not one of ours (someone else's interaction in the session): leave it alone.
      return;
    }
    switch (fate) {
      case ANSWER -> send(json.createObjectNode().put("type", "answer").put("id", id).set("value", approved()).toString());
      case REJECT -> send(json.createObjectNode().put("type", "reject").put("id", id).put("reason", "load test").toString());
      case DROP -> {
        tally.clientDropped();
        abort();
      }
      case DISCONNECT -> {
        tally.clientDisconnected();
        leave();
      }
      case CANCEL, TIMEOUT -> {
        // The requester cancels it, or it expires: a device that shows it and waits.
      }
    }
  }

  private JsonNode approved() {
    return json.createObjectNode().put("approved", true);
  }

  private void refused(String code) {
    if (code.equals("already_closed") || code.equals("unknown_interaction")) {
      tally.lostRace();
    } else {
      tally.error("ws error frame: " + code);
    }
  }

  private synchronized void leave() {
    if (leaving) {
      return;
    }
    leaving = true;
    stopPinging();
    if (socket != null) {
      sendClose();
    }
    // A client still connecting sends its close when it opens (onOpen); either way the handshake has a deadline.
    timers.schedule(
        () -> {
          if (!ended.get()) {
            tally.error("ws close handshake timed out");
            abort();
          }
        },
        CLOSE_HANDSHAKE_TIMEOUT.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private synchronized void sendClose() {
    WebSocket current = socket;
    sending = sending.thenCompose(previous -> current.sendClose(WebSocket.NORMAL_CLOSURE, "load client leaving"));
  }

  /** Sends in order: the JDK's WebSocket refuses a send while the previous one is still in progress. */
  private synchronized void send(String text) {
    if (leaving || socket == null) {
      return;
    }
    WebSocket current = socket;
    sending =
        sending
            .thenCompose(previous -> current.sendText(text, true))
            .exceptionally(
                failure -> {
                  if (!leaving) {
                    tally.error("ws send failed: " + describe(failure));
                  }
                  return null;
                });
  }

  private void stopPinging() {
    ScheduledFuture<?> current = pings;
    if (current != null) {
      current.cancel(false);
    }
  }

  private void ended() {
    if (ended.compareAndSet(false, true)) {
      stopPinging();
      if (socket != null) {
        tally.clientGone();
      }
      end.complete(null);
      onEnd.accept(this);
    }
  }

  private static String describe(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof WebSocketHandshakeException handshake) {
      return "HTTP " + handshake.getResponse().statusCode();
    }
    return cause.getClass().getSimpleName();
  }
}
