package dev.interactions.client;

import dev.interactions.protocol.ServerMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A device's answers, rejections and extensions that wait for the server's reply, by the {@code ref} they were sent
 * with. Each is completed by its {@code ack}, failed by its {@code error}, or given up after the reply timeout. Futures
 * are completed outside the lock, so that what depends on them runs without it.
 */
final class AwaitedReplies {

  /** A reply awaited, and the timer that gives up on it. */
  private record Awaited(CompletableFuture<ServerMessage.Ack> future, ScheduledFuture<?> deadline) {}

  private final ScheduledExecutorService timers;
  private final Duration timeout;
  private final String sessionId;
  /** Guarded by this. */
  private final Map<String, Awaited> byRef = new HashMap<>();
  /** Guarded by this. */
  private long lastRef;

  AwaitedReplies(ScheduledExecutorService timers, Duration timeout, String sessionId) {
    this.timers = timers;
    this.timeout = timeout;
    this.sessionId = sessionId;
  }

  /** A {@code ref} no message of this device carried yet. */
  synchronized String nextRef() {
    return "r" + (++lastRef);
  }

  /** The reply to the message sent with {@code ref}. */
  CompletableFuture<ServerMessage.Ack> await(String ref) {
    CompletableFuture<ServerMessage.Ack> reply = new CompletableFuture<>();
    synchronized (this) {
      ScheduledFuture<?> deadline = timers.schedule(() -> timedOut(ref), timeout.toNanos(), TimeUnit.NANOSECONDS);
      byRef.put(ref, new Awaited(reply, deadline));
    }
    return reply;
  }

  /** Completes the reply {@code ack} answers; false when nothing awaits it. */
  boolean acknowledge(ServerMessage.Ack ack) {
    Awaited awaited = take(ack.ref());
    if (awaited == null) {
      return false;
    }
    awaited.future().complete(ack);
    return true;
  }

  /** Fails the reply awaited under {@code ref} with {@code failure}; false when nothing awaits it. */
  boolean fail(String ref, Throwable failure) {
    Awaited awaited = take(ref);
    if (awaited == null) {
      return false;
    }
    awaited.future().completeExceptionally(failure);
    return true;
  }

  /** Fails every reply awaited: the connection they were sent on is gone. */
  void failAll(Throwable failure) {
    List<Awaited> all;
    synchronized (this) {
      all = new ArrayList<>(byRef.values());
      byRef.clear();
    }
    all.forEach(awaited -> {
      awaited.deadline().cancel(false);
      awaited.future().completeExceptionally(failure);
    });
  }

  private void timedOut(String ref) {
    Awaited awaited = take(ref);
    if (awaited != null) {
      awaited.future().completeExceptionally(new TimeoutException("no reply from session " + sessionId + " within " + timeout));
    }
  }

  private Awaited take(String ref) {
    Awaited awaited;
    synchronized (this) {
      awaited = ref == null ? null : byRef.remove(ref);
    }
    if (awaited != null) {
      awaited.deadline().cancel(false);
    }
    return awaited;
  }
}
