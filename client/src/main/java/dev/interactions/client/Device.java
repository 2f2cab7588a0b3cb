package dev.interactions.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interactions.protocol.ClientMessage;
import dev.interactions.protocol.ServerMessage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A person's device in one session, over a WebSocket ({@code docs/PROTOCOL.md}, "WebSocket"): it is shown the
 * session's pending interactions and answers or rejects them. Obtained from {@link InteractionsClient#device}.
 *
 * <pre>{@code
 * Device phone = client.device("alice");
 * phone.onInteraction(interaction -> phone.answer(interaction.id(), Map.of("approved", true)));
 * phone.onClosed(closed -> retract(closed.id()));
 * phone.connect().join();   // the session's pending interactions have been reported
 * }</pre>
 *
 * <p>Once {@link #connect() connected} it stays connected until {@link #close()}: it pings as the server's heartbeat
 * asks, and after a drop (or when nothing came from the server for two heartbeats, or no {@code welcome} within the
 * connect timeout of the upgrade) it reconnects with jittered backoff, asking the token supplier for a fresh token
 * each time. The server then replays what is pending: an interaction the device already reported is not reported
 * again, and one that closed meanwhile is reported closed.
 * Only a refusal that trying again cannot fix ends it: a WebSocket upgrade refused with a 4xx status other than 408 and
 * 429 ({@code 401} for a token the server does not take, {@code 403} for one that may not join the session); the device
 * then closes itself and reports the refusal to its {@link #onError error handlers}. Why each connection ended is told
 * to its {@link #onConnectionLost connection-lost handlers}.
 *
 * <p>{@link #close()} ends the connection with the WebSocket close handshake; {@link #closeAsync()} does without
 * waiting; {@link #abort()} drops it without a close frame, as a crashed device would.
 *
 * <p>Handlers are called one at a time, whatever they are told (a frame, a lost connection, a change of state), in the
 * order it happened, never two of one device at once, even when a connection is lost or replaced while a handler
 * runs: the device queues what it tells them and runs the queue on the client's shared executor (the HTTP client's),
 * without a thread of its own. Other devices' handlers run meanwhile. Handlers should not block (hand long work to an
 * executor of your own): a device's next handler waits for the one running. Registering one returns its {@link
 * Subscription}. Thread-safe.
 */
public final class Device implements AutoCloseable {

  /** Where a device is in its life. */
  public enum State {
    /** Created, not connected yet. */
    IDLE,
    /** Connecting for the first time. */
    CONNECTING,
    /** Connected, and the session's pending interactions reported: what it reports from here on is live. */
    SYNCED,
    /** The connection dropped, or an attempt failed: waiting to try again, or trying. */
    RECONNECTING,
    /** Closed by {@link #close()} or by a refusal; it does nothing more. */
    CLOSED
  }

  private static final System.Logger LOG = System.getLogger(Device.class.getName());

  /** How much longer than the close timeout {@link #close()} waits: the timer that ends the handshake may run late. */
  private static final Duration CLOSE_SLACK = Duration.ofSeconds(1);

  private final InteractionsClient owner;
  private final String sessionId;
  private final URI uri;
  private final Supplier<String> token;
  private final DeviceSettings settings;
  private final ScheduledExecutorService timers;
  private final AwaitedReplies replies;
  /** Runs the handlers, one at a time, in the order the device tells them things (under its lock). */
  private final SerialExecutor events;

  private final Handlers<ServerMessage.Interaction> interactions = new Handlers<>("interaction");
  private final Handlers<ServerMessage.Closed> closings = new Handlers<>("closed");
  private final Handlers<ServerMessage.Shown> shownReports = new Handlers<>("shown");
  private final Handlers<ServerMessage.Extended> extensions = new Handlers<>("extended");
  private final Handlers<ServerMessage.Progress> progress = new Handlers<>("progress");
  private final Handlers<RefusedException> errors = new Handlers<>("error");
  private final Handlers<State> states = new Handlers<>("state");
  private final Handlers<Throwable> connectionLosses = new Handlers<>("connection lost");
  /** Completed by the first {@code synced}. */
  private final CompletableFuture<Void> firstSync = new CompletableFuture<>();
  /** Completed once the device is closed and its last connection is over; as its close handshake ended. */
  private final CompletableFuture<Void> closed = new CompletableFuture<>();

  private final Object lock = new Object();
  /** Guarded by lock. */
  private final PendingView view = new PendingView();
  /** Guarded by lock. */
  private State state = State.IDLE;
  /** The current connection or connection attempt; null while waiting to reconnect. Guarded by lock. */
  private DeviceSocket socket;
  /** Guarded by lock. */
  private ScheduledFuture<?> reconnect;
  /** Attempts that failed since the last welcome; guarded by lock. */
  private int failedAttempts;
  private volatile String connectionId;

  Device(
      InteractionsClient owner,
      String sessionId,
      URI uri,
      Supplier<String> token,
      DeviceSettings settings,
      ScheduledExecutorService timers,
      Executor handlerExecutor) {
    this.owner = owner;
    this.sessionId = sessionId;
    this.uri = uri;
    this.token = token;
    this.settings = settings;
    this.timers = timers;
    this.replies = new AwaitedReplies(timers, settings.replyTimeout(), sessionId);
    this.events = new SerialExecutor(handlerExecutor);
    // The client forgets it once its connection is over, not when it closes: closing the client waits for that.
    closed.whenComplete((over, failed) -> owner.forget(this));
  }

  /**
   * Connects, and keeps connected until {@link #close()}. The future completes once the session's pending interactions
   * have been reported ({@code synced}) and its handlers were told them; it keeps waiting while the server cannot be
   * reached, and fails when a refusal ends the device (a {@link RefusedException}, once its handlers heard it) or it is
   * closed first. Calling it again returns the same outcome.
   */
  public CompletableFuture<Void> connect() {
    boolean start;
    synchronized (lock) {
      start = state == State.IDLE;
      if (start) {
        state = State.CONNECTING;
        tell(states, State.CONNECTING);
      }
    }
    if (start) {
      open();
    }
    return firstSync.copy();
  }

  /**
   * Interactions to show: each pending one once, replayed or live; not again after a reconnect. One this device may
   * see but not answer ({@code docs/PROTOCOL.md}, "Who may answer") has {@code readOnly()} true: show it without the
   * means to answer; the server refuses its answer, rejection, extension or {@code shown} with {@code forbidden}.
   */
  public Subscription onInteraction(Consumer<? super ServerMessage.Interaction> handler) {
    return interactions.add(handler);
  }

  /**
   * Interactions that ended: retract them. The outcome is null when it closed while this device was disconnected (the
   * replay no longer had it); a requester reads it over HTTP.
   */
  public Subscription onClosed(Consumer<? super ServerMessage.Closed> handler) {
    return closings.add(handler);
  }

  /** A device (this one or another) reported an interaction on screen first; {@code by} is its connection. */
  public Subscription onShown(Consumer<? super ServerMessage.Shown> handler) {
    return shownReports.add(handler);
  }

  /** An interaction's deadline moved out (a device extended it); update the countdown. */
  public Subscription onExtended(Consumer<? super ServerMessage.Extended> handler) {
    return extensions.add(handler);
  }

  /** An interaction that needs several approvals got one more, short of its quorum. */
  public Subscription onProgress(Consumer<? super ServerMessage.Progress> handler) {
    return progress.add(handler);
  }

  /**
   * Refusals nobody waits for: {@code error} frames that reply to no answer, rejection or extension (e.g. {@code
   * token_expired} before the server closes the connection, {@code unknown_interaction} for a {@link #shown}), and
   * refused WebSocket upgrades, including the one that ends the device.
   */
  public Subscription onError(Consumer<? super RefusedException> handler) {
    return errors.add(handler);
  }

  /** Every change of {@link #state()}. */
  public Subscription onStateChange(Consumer<? super State> handler) {
    return states.add(handler);
  }

  /**
   * Why each connection, or attempt to open one, ended other than by {@link #close()} or {@link #abort()}: a {@link
   * RefusedException} for a refused WebSocket upgrade (with its HTTP status), a {@link ConnectionClosedException} when
   * the server closed the connection (with its close code), or the I/O failure ({@code ConnectException}, {@code
   * HttpConnectTimeoutException}, an {@code IOException} when the server's {@code welcome} did not come within the
   * connect timeout of the upgrade, or when nothing came from the server for two heartbeats after it). Told
   * before the state changes to {@link State#RECONNECTING} (or {@link State#CLOSED}, for a refusal that ends the device).
   */
  public Subscription onConnectionLost(Consumer<? super Throwable> handler) {
    return connectionLosses.add(handler);
  }

  /**
   * Answers interaction {@code interactionId} with {@code value} (anything Jackson writes as JSON; null for JSON's
   * null). The future completes with the server's {@code ack} (this answer decided the outcome, or counted towards a
   * quorum), or fails with a {@link RefusedException} ({@code invalid_answer} with its problems, {@code already_closed},
   * {@code unknown_interaction}, …), an {@link IOException} when not connected, when the connection dropped before
   * the reply (the replay after the reconnect tells whether it is still pending), or at once when 128 messages wait to
   * be sent already (the connection stopped taking them), a {@link TimeoutException} when no reply came within the
   * reply timeout, or a {@link CancellationException} when the device closed.
   *
   * <p>An answer still waiting to be sent when its reply timed out, its connection dropped or the device closed is
   * never sent: it cannot count after its failure was reported, and trying again cannot answer twice. One that went
   * out before may have counted although its reply did not come; a second try is then refused ({@code
   * already_closed}), and {@link #onClosed} tells the outcome.
   *
   * @throws dev.interactions.protocol.InvalidInputException if the id does not match the protocol's id pattern
   */
  public CompletableFuture<ServerMessage.Ack> answer(String interactionId, Object value) {
    return request(ref -> new ClientMessage.Answer(interactionId, ClientCodec.json(value), ref));
  }

  /** Rejects interaction {@code interactionId}, with an optional {@code reason}; replied to as {@link #answer} is. */
  public CompletableFuture<ServerMessage.Ack> reject(String interactionId, String reason) {
    return request(ref -> new ClientMessage.Reject(interactionId, reason, ref));
  }

  /**
   * Asks for more time: the deadline becomes at least {@code by} from now, never beyond the interaction's {@code
   * extendableUntil}. Replied to as {@link #answer} is; the new deadline comes as an {@link #onExtended extension}.
   */
  public CompletableFuture<ServerMessage.Ack> extend(String interactionId, Duration by) {
    return request(ref -> new ClientMessage.Extend(interactionId, by.toMillis(), ref));
  }

  /**
   * Reports interaction {@code interactionId} on this device's screen. Nothing is sent (false) unless it is pending,
   * this device may answer it (it is not {@code readOnly}: on the screen of someone who may not answer it, it has not
   * reached a person who can, and the server would refuse the report), no device reported it yet, and the device is
   * connected with fewer than 128 messages waiting to be sent. No reply comes when it is recorded; every device is told
   * through {@link #onShown}.
   */
  public boolean shown(String interactionId) {
    synchronized (lock) {
      boolean reportable =
          view.get(interactionId).map(i -> i.shownBy() == null && !Boolean.TRUE.equals(i.readOnly())).orElse(false);
      if (!reportable || socket == null || !socket.isOpen()) {
        return false;
      }
      return socket.send(ClientCodec.write(new ClientMessage.Shown(interactionId)), null);
    }
  }

  /** The pending interactions this device knows, oldest first, with the latest deadline and who showed them. */
  public List<ServerMessage.Interaction> pending() {
    synchronized (lock) {
      return view.pending();
    }
  }

  /** The session this device is a device of. */
  public String sessionId() {
    return sessionId;
  }

  /** The id of the current (or last) connection, from its {@code welcome}; null before the first. */
  public String connectionId() {
    return connectionId;
  }

  /** Where the device is in its life now; every change is told to {@link #onStateChange} handlers. */
  public State state() {
    synchronized (lock) {
      return state;
    }
  }

  /**
   * Closes the device for good and waits for its connection to end: a close frame goes to the server, and the socket
   * closes once the server answered with its own, or after the close timeout (2 s unless the client's builder set
   * another). Its timers stop, replies still awaited fail with a {@link CancellationException}, its handlers are let go.
   * Closing twice does nothing. It blocks for a network round trip: a handler should call {@link #closeAsync()}.
   */
  @Override
  public void close() {
    try {
      closeAsync().get(settings.closeTimeout().plus(CLOSE_SLACK).toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException notAnswered) {
      // The socket is closed either way; closeAsync() tells how it ended, for whoever needs to know.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Closes the device for good as {@link #close()} does, without waiting. The future completes when the server has
   * answered the close frame, at once when the device had no open connection; it fails with a {@link TimeoutException}
   * when the server did not answer within the close timeout, or with the I/O failure when the connection broke first.
   * The socket is closed in every case. Calling it again returns the same outcome.
   */
  public CompletableFuture<Void> closeAsync() {
    return shutDown(current -> current.close(settings.closeTimeout()));
  }

  /**
   * Closes the device for good at once, dropping its connection without a close frame: to the server it looks like a
   * crashed device or a lost network, the TCP connection just ends. Otherwise as {@link #close()}; once closed, it does
   * nothing. For tests of what a server does with devices that vanish (the load tool's abrupt drops); a device that
   * leaves should {@link #close()}.
   */
  public void abort() {
    shutDown(
        current -> {
          current.abort();
          return CompletableFuture.completedFuture(null);
        });
  }

  /**
   * Closes the device, the first time only: its connection, if it has one, is ended by {@code ending}, and {@link
   * #closed} follows that end. Returns the outcome of the close.
   */
  private CompletableFuture<Void> shutDown(Function<DeviceSocket, CompletableFuture<Void>> ending) {
    DeviceSocket current;
    synchronized (lock) {
      if (state == State.CLOSED) {
        return closed.copy();
      }
      state = State.CLOSED;
      current = socket;
      socket = null;
      stopReconnecting();
      ended();
    }
    CancellationException cancelled = new CancellationException("the device was closed");
    replies.failAll(cancelled);
    firstSync.completeExceptionally(cancelled);
    CompletableFuture<Void> end = current == null ? CompletableFuture.completedFuture(null) : ending.apply(current);
    end.whenComplete(
        (over, failed) -> {
          if (failed == null) {
            closed.complete(null);
          } else {
            closed.completeExceptionally(failed instanceof CompletionException && failed.getCause() != null ? failed.getCause() : failed);
          }
        });
    return closed.copy();
  }

  // --- connecting ----------------------------------------------------------------------------------------------------

  private void open() {
    DeviceSocket next = new DeviceSocket(this::received, this::lost, timers, sessionId, settings.connectTimeout());
    synchronized (lock) {
      if (state == State.CLOSED) {
        return;
      }
      reconnect = null;
      socket = next;
    }
    try {
      HttpClient http = owner.http();
      String bearer = token == null ? null : token.get();
      WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(settings.connectTimeout());
      if (bearer != null) {
        builder.header("Authorization", "Bearer " + bearer);
      }
      builder.buildAsync(uri, next).whenComplete((opened, failure) -> {
        if (failure != null) {
          lost(next, failure instanceof CompletionException ? failure.getCause() : failure);
        }
      });
    } catch (RuntimeException e) {
      lost(next, e); // the token supplier failed, or the client closed: tried again later, or not at all
    }
  }

  /** The connection {@code from} is over: try again later, or end the device if it was refused for good. */
  private void lost(DeviceSocket from, Throwable cause) {
    RefusedException refusal = refusal(cause);
    boolean fatal = refusal != null && isFatal(refusal.httpStatus().getAsInt());
    synchronized (lock) {
      if (socket != from) {
        return; // a connection already replaced or closed
      }
      socket = null;
      from.abort();
      if (refusal != null) {
        tell(errors, refusal);
      }
      tell(connectionLosses, refusal != null ? refusal : cause);
      if (fatal) {
        state = State.CLOSED;
        events.execute(() -> firstSync.completeExceptionally(refusal)); // once its handlers heard why
        ended();
      } else {
        failedAttempts++;
        Duration delay = settings.reconnect().delay(failedAttempts - 1, ThreadLocalRandom.current().nextDouble());
        reconnect = timers.schedule(this::open, delay.toNanos(), TimeUnit.NANOSECONDS);
        enter(State.RECONNECTING);
      }
    }
    LOG.log(System.Logger.Level.DEBUG, () -> "device of session " + sessionId + " lost its connection: " + cause);
    replies.failAll(new IOException("the connection to session " + sessionId + " dropped before the server replied", cause));
    if (fatal) {
      closed.complete(null); // its socket was aborted above
    }
  }

  /** A refused WebSocket upgrade as the server's refusal; null for any other failure. */
  private static RefusedException refusal(Throwable cause) {
    if (cause instanceof WebSocketHandshakeException refused) {
      Object body = refused.getResponse().body();
      return RefusedException.ofResponse(refused.getResponse().statusCode(), body instanceof String text ? text : "");
    }
    return null;
  }

  /** Whether trying again cannot help: a client error other than a timeout or a limit. */
  private static boolean isFatal(int status) {
    return status >= 400 && status < 500 && status != 408 && status != 429;
  }

  /** The device is closed: say so, then let go of every handler. Guarded by lock. */
  private void ended() {
    tell(states, State.CLOSED);
    events.execute(
        () -> {
          for (Handlers<?> handlers :
              List.of(interactions, closings, shownReports, extensions, progress, errors, states, connectionLosses)) {
            handlers.clear();
          }
        });
  }

  /**
   * Tells {@code handlers} {@code value} after everything told before. Guarded by lock, so that handlers hear things
   * in the order the device saw them, whichever thread saw each.
   */
  private <T> void tell(Handlers<T> handlers, T value) {
    events.execute(() -> handlers.emit(value));
  }

  /** Guarded by lock. */
  private void stopReconnecting() {
    if (reconnect != null) {
      reconnect.cancel(false);
      reconnect = null;
    }
  }

  /** Changes the state to {@code next}, and tells the state handlers, unless it was the state already. Guarded by lock. */
  private void enter(State next) {
    if (state != next) {
      state = next;
      tell(states, next);
    }
  }

  // --- frames --------------------------------------------------------------------------------------------------------

  private void received(DeviceSocket from, String text) {
    JsonNode frame;
    ServerMessage message;
    try {
      frame = ClientCodec.tree(text);
      if ("error".equals(frame.path("type").asText())) {
        refused(from, RefusedException.ofFrame(frame), frame.path("ref").textValue());
        return;
      }
      message = ClientCodec.convert(frame, ServerMessage.class);
    } catch (IllegalArgumentException unreadable) {
      LOG.log(System.Logger.Level.WARNING, () -> "session " + sessionId + " sent a frame this client cannot read: " + text);
      return;
    }
    if (message != null) { // null: a type this client does not know, to be ignored
      received(from, message);
    }
  }

  private void received(DeviceSocket from, ServerMessage message) {
    synchronized (lock) {
      if (socket != from) {
        return;
      }
      if (message instanceof ServerMessage.Welcome welcome) {
        connectionId = welcome.connectionId();
        failedAttempts = 0;
        from.welcomed(Duration.ofMillis(welcome.heartbeatMs()));
      }
      view.apply(message).forEach(this::report);
      if (message instanceof ServerMessage.Synced) {
        enter(State.SYNCED);
        events.execute(() -> firstSync.complete(null)); // once the replay has been told
      }
    }
    if (message instanceof ServerMessage.Ack ack) {
      replies.acknowledge(ack);
    }
  }

  /** Tells the handlers of {@code report}'s kind. Guarded by lock. */
  private void report(ServerMessage report) {
    if (report instanceof ServerMessage.Interaction interaction) {
      tell(interactions, interaction);
    } else if (report instanceof ServerMessage.Closed closed) {
      tell(closings, closed);
    } else if (report instanceof ServerMessage.Shown shown) {
      tell(shownReports, shown);
    } else if (report instanceof ServerMessage.Extended extended) {
      tell(extensions, extended);
    } else if (report instanceof ServerMessage.Progress step) {
      tell(progress, step);
    }
  }

  private void refused(DeviceSocket from, RefusedException refusal, String ref) {
    synchronized (lock) {
      if (socket != from) {
        return;
      }
    }
    if (!replies.fail(ref, refusal)) {
      synchronized (lock) {
        tell(errors, refusal);
      }
    }
  }

  /** Sends the message {@code message} makes of a fresh {@code ref}, and awaits its reply. */
  private CompletableFuture<ServerMessage.Ack> request(Function<String, ClientMessage> message) {
    String ref = replies.nextRef();
    String text = ClientCodec.write(message.apply(ref));
    CompletableFuture<ServerMessage.Ack> reply;
    boolean queued;
    synchronized (lock) {
      if (socket == null || !socket.isOpen()) {
        return CompletableFuture.failedFuture(new IOException("not connected to session " + sessionId + " (" + state + ")"));
      }
      reply = replies.await(ref);
      queued = socket.send(text, reply);
    }
    if (!queued) {
      String backlog = DeviceSocket.MAX_WAITING + " messages wait to be sent to session " + sessionId;
      replies.fail(ref, new IOException(backlog + ": the connection is not taking them"));
    }
    return reply;
  }
}
