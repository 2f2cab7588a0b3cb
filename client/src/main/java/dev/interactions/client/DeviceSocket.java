package dev.interactions.client;

import dev.interactions.protocol.ClientMessage;
import java.io.IOException;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * One WebSocket connection of a device, or the attempt to open one: it hands its device each text message, sends text
 * one message at a time (the JDK's WebSocket takes one send at a time) from a bounded queue, pings as the server's
 * heartbeat asks, and reports the connection lost when the server's {@code welcome} did not come within the welcome
 * timeout of the upgrade (a server or proxy that took the upgrade and then said nothing), or when the server was silent
 * for two heartbeats after it. Once over (aborted, or closing), it stays over: a socket that opens late is aborted at
 * once, and messages that did not start to go out are dropped.
 */
final class DeviceSocket implements WebSocket.Listener {

  private static final String PING = ClientCodec.write(new ClientMessage.Ping());

  /**
   * How many messages may wait behind the one being sent: more than the server takes in a burst (100 messages) or than
   * a session holds pending interactions (100), so only a connection that stopped taking data fills it.
   */
  static final int MAX_WAITING = 128;

  /**
   * A message waiting to be sent, and the reply it asks for; null when none comes (a {@code shown}, a ping). Once that
   * reply timed out or failed, the caller was told the message did not count: it must not go out after all.
   */
  private record Outgoing(String text, CompletableFuture<?> reply) {
    boolean stillWanted() {
      return reply == null || !reply.isDone();
    }
  }

  /** Told each complete text message. */
  private final BiConsumer<DeviceSocket, String> received;
  /** Told when the connection is gone, or could not be opened. */
  private final BiConsumer<DeviceSocket, Throwable> lost;
  private final ScheduledExecutorService timers;
  private final String sessionId;
  private final Duration welcomeTimeout;
  /** The JDK calls a listener one method at a time, so this needs no lock. */
  private final StringBuilder partial = new StringBuilder();
  /** Completed by the server's close frame, failed when the connection broke: the end of a close handshake. */
  private final CompletableFuture<Void> serverClosed = new CompletableFuture<>();
  private volatile long lastHeardNanos = System.nanoTime();
  /** Guarded by this. */
  private WebSocket socket;
  /** What notices a silent server: the deadline of the welcome until it came, then the heartbeat. Guarded by this. */
  private ScheduledFuture<?> watchdog;
  /** Messages waiting for the one being sent, oldest first. Guarded by this. */
  private final ArrayDeque<Outgoing> waiting = new ArrayDeque<>();
  /** The message being sent, completed once it left (or failed). Guarded by this. */
  private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);
  /** Whether a message is being sent. Guarded by this. */
  private boolean writing;
  /** Guarded by this. */
  private boolean welcomed;
  /** Guarded by this. */
  private boolean over;

  DeviceSocket(
      BiConsumer<DeviceSocket, String> received,
      BiConsumer<DeviceSocket, Throwable> lost,
      ScheduledExecutorService timers,
      String sessionId,
      Duration welcomeTimeout) {
    this.received = received;
    this.lost = lost;
    this.timers = timers;
    this.sessionId = sessionId;
    this.welcomeTimeout = welcomeTimeout;
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    boolean late;
    synchronized (this) {
      late = over;
      if (!late) {
        socket = webSocket;
        watch(timers -> timers.schedule(this::noWelcome, welcomeTimeout.toNanos(), TimeUnit.NANOSECONDS));
      }
    }
    if (late) {
      webSocket.abort(); // given up on while it was opening
      return;
    }
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      lastHeardNanos = System.nanoTime();
      String text = partial.toString();
      partial.setLength(0);
      received.accept(this, text);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    serverClosed.complete(null);
    lost.accept(this, new ConnectionClosedException(sessionId, statusCode, reason));
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    serverClosed.completeExceptionally(error);
    lost.accept(this, error);
  }

  /** Whether it is open and not over: messages can be sent. */
  synchronized boolean isOpen() {
    return socket != null && !over;
  }

  /**
   * Sends {@code text} once what was sent before has left; only while {@link #isOpen()}. It is dropped, unless it
   * started to go out, once {@code reply} completed (timed out, failed, or the device closed), and when the connection
   * ends. False, and nothing is sent, when {@link #MAX_WAITING} messages wait already: the connection is not taking
   * what is sent.
   *
   * @param reply the reply {@code text} asks for, or null when none comes
   */
  synchronized boolean send(String text, CompletableFuture<?> reply) {
    waiting.removeIf(outgoing -> !outgoing.stillWanted());
    if (waiting.size() >= MAX_WAITING) {
      return false;
    }
    waiting.add(new Outgoing(text, reply));
    if (!writing) {
      sendNext();
    }
    return true;
  }

  /** Starts sending the oldest message still wanted, if there is one. Guarded by this. */
  private void sendNext() {
    Outgoing next = waiting.poll();
    while (next != null && !next.stillWanted()) {
      next = waiting.poll();
    }
    writing = next != null && !over;
    if (writing) {
      sending = socket.sendText(next.text(), true);
      sending.whenComplete((sent, failure) -> sendingEnded(failure));
    }
  }

  private synchronized void sendingEnded(Throwable failure) {
    if (failure != null) {
      waiting.clear(); // the connection broke: its listener hears of it, and the device drops it
    }
    sendNext();
  }

  /**
   * The server's welcome came, with its heartbeat {@code interval}: pings every half interval from now on, and reports
   * the connection lost once the server was silent for two.
   */
  synchronized void welcomed(Duration interval) {
    welcomed = true;
    long halfNanos = Math.max(1, interval.toNanos() / 2);
    watch(timers -> timers.scheduleAtFixedRate(() -> tick(interval), halfNanos, halfNanos, TimeUnit.NANOSECONDS));
  }

  /** Replaces the watchdog with what {@code schedule} schedules on the timers. Guarded by this. */
  private void watch(Function<ScheduledExecutorService, ScheduledFuture<?>> schedule) {
    stopWatching();
    try {
      watchdog = schedule.apply(timers);
    } catch (RejectedExecutionException clientClosing) {
      // The client is stopping its timers: it is closing this connection too.
    }
  }

  private void noWelcome() {
    synchronized (this) {
      if (welcomed) {
        return; // it came just as the deadline passed
      }
    }
    lost.accept(
        this, new IOException("no welcome from session " + sessionId + " within " + welcomeTimeout + " of the upgrade"));
  }

  private void tick(Duration interval) {
    if (System.nanoTime() - lastHeardNanos > 2 * interval.toNanos()) {
      lost.accept(this, new IOException("nothing heard from session " + sessionId + " for " + interval.multipliedBy(2)));
      return;
    }
    synchronized (this) {
      if (isOpen() && waiting.isEmpty()) { // with messages waiting, a ping would not get through any sooner
        send(PING, null);
      }
    }
  }

  /** Ends the connection at once, without a close frame. */
  synchronized void abort() {
    over = true;
    waiting.clear();
    stopWatching();
    if (socket != null) {
      socket.abort();
    }
  }

  /**
   * Ends the connection with the WebSocket close handshake: a close frame, then the server's, then the socket closes.
   * The future completes with the handshake, at once for a connection still opening (it is aborted as it opens). When
   * the server did not answer within {@code timeout}, or the connection broke first, the socket is aborted all the same
   * and the future fails: with a {@link TimeoutException}, or with the connection's failure.
   */
  CompletableFuture<Void> close(Duration timeout) {
    CompletableFuture<?> closeFrameSent;
    WebSocket target;
    synchronized (this) {
      over = true;
      waiting.clear(); // a close drops what did not start to go out: the device failed its replies already
      stopWatching();
      target = socket;
      if (target == null) {
        return CompletableFuture.completedFuture(null);
      }
      closeFrameSent = sending.handle((sent, failed) -> null).thenCompose(ignored -> target.sendClose(WebSocket.NORMAL_CLOSURE, ""));
    }
    CompletableFuture<Void> handshake = closeFrameSent.thenCompose(sent -> serverClosed);
    try {
      ScheduledFuture<?> deadline =
          timers.schedule(
              () -> handshake.completeExceptionally(
                  new TimeoutException("session " + sessionId + " did not answer the close frame within " + timeout)),
              timeout.toNanos(),
              TimeUnit.NANOSECONDS);
      handshake.whenComplete((closed, failed) -> deadline.cancel(false));
    } catch (RejectedExecutionException clientClosing) {
      // The client is stopping its timers: nothing would end a handshake the server leaves open, so it ends now.
      handshake.completeExceptionally(clientClosing);
    }
    // After a handshake the JDK has closed the socket already; after a failure nothing else will.
    return handshake.whenComplete((closed, failed) -> target.abort());
  }

  /** Guarded by this. */
  private void stopWatching() {
    if (watchdog != null) {
      watchdog.cancel(false);
      watchdog = null;
    }
  }
}
