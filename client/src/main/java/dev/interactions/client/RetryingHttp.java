package dev.interactions.client;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Sends requester calls: each attempt with the bearer token its supplier gives at that moment (so a rotated token is
 * picked up by the next call, and by the next retry), retried as the {@link RetryPolicy} says. Until {@link #close()},
 * which aborts whatever is still in flight, so that no caller waits for a call nobody will finish and no exchange
 * keeps the HTTP client busy.
 */
final class RetryingHttp {

  private final ScheduledExecutorService timers;
  private final RetryPolicy policy;
  private final Supplier<String> token;
  /** Calls not finished yet; guarded by itself. */
  private final Set<Call> inFlight = new HashSet<>();
  /** Null once closed, so that a closed client does not keep the HTTP client (and its selector thread) reachable. */
  private volatile HttpClient http;

  /** @param token gives the bearer token for each attempt (null, or a null token: none is sent) */
  RetryingHttp(HttpClient http, ScheduledExecutorService timers, RetryPolicy policy, Supplier<String> token) {
    this.http = http;
    this.timers = timers;
    this.policy = policy;
    this.token = token;
  }

  /**
   * Sends {@code request}, retrying as the policy allows. The response is the last attempt's, whatever its status; the
   * future fails with the last attempt's I/O failure, or with a {@link CancellationException} once the client closed.
   */
  CompletableFuture<HttpResponse<String>> send(HttpRequest.Builder request) {
    Call call = new Call(request);
    synchronized (inFlight) {
      if (http == null) {
        call.abandon();
        return call.result;
      }
      inFlight.add(call);
    }
    call.result.whenComplete(
        (response, failure) -> {
          synchronized (inFlight) {
            inFlight.remove(call);
          }
        });
    call.attempt();
    return call.result;
  }

  /** Aborts every call in flight, and fails every later one. */
  void close() {
    List<Call> abandoned;
    synchronized (inFlight) {
      http = null;
      abandoned = new ArrayList<>(inFlight);
    }
    abandoned.forEach(Call::abandon);
  }

  /** One call and its attempts, made one after the other. */
  private final class Call {

    private final HttpRequest.Builder template;
    private final CompletableFuture<HttpResponse<String>> result = new CompletableFuture<>();
    private int attempts;
    /** When the first attempt failed, for the retry policy's time budget; set once, on the first failure. */
    private long firstFailureNanos;
    /** The attempt in flight, to abort it on close. Guarded by this. */
    private CompletableFuture<HttpResponse<String>> exchange;

    Call(HttpRequest.Builder template) {
      this.template = template;
    }

    void attempt() {
      if (result.isDone()) {
        return;
      }
      attempts++;
      HttpRequest request;
      try {
        request = authorized();
      } catch (RuntimeException tokenFailed) {
        result.completeExceptionally(tokenFailed);
        return;
      }
      CompletableFuture<HttpResponse<String>> sent;
      synchronized (this) {
        // Read here, not before the token supplier ran: the client may have closed meanwhile. Under the lock that
        // abandon() takes after completing the result: either this sees the call abandoned and sends nothing, or
        // abandon() sees this exchange and aborts it; no exchange outlives the client.
        HttpClient client = http;
        if (client == null || result.isDone()) {
          sent = null;
        } else {
          try {
            sent = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
          } catch (RuntimeException refused) { // e.g. its executor, shut down by its owner: the call fails, not hangs
            sent = CompletableFuture.failedFuture(refused);
          }
          exchange = sent;
        }
      }
      if (sent == null) {
        abandon();
      } else {
        sent.whenComplete(this::attempted);
      }
    }

    private void attempted(HttpResponse<String> response, Throwable failure) {
      Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
      Optional<Duration> delay = nextDelay(response, cause);
      if (delay.isPresent() && retryLater(delay.get())) {
        return;
      }
      if (cause != null) {
        result.completeExceptionally(cause);
      } else {
        result.complete(response);
      }
    }

    private Optional<Duration> nextDelay(HttpResponse<String> response, Throwable cause) {
      boolean retryable = cause != null ? RetryPolicy.isRetryable(cause) : RetryPolicy.isRetryable(response.statusCode());
      if (!retryable) {
        return Optional.empty();
      }
      long now = System.nanoTime();
      if (attempts == 1) { // only failed attempts are followed by another: the first failure is the first attempt's
        firstFailureNanos = now;
      }
      Optional<Duration> retryAfter =
          cause != null ? Optional.empty() : RetryAfter.parse(response.headers().firstValue("Retry-After"), Instant.now());
      return policy.delayBeforeNextAttempt(
          attempts, Duration.ofNanos(now - firstFailureNanos), retryAfter, ThreadLocalRandom.current().nextDouble());
    }

    /** Schedules the next attempt; false when the client closed meanwhile (then this attempt's result stands). */
    private boolean retryLater(Duration delay) {
      try {
        timers.schedule(this::attempt, delay.toNanos(), TimeUnit.NANOSECONDS);
        return true;
      } catch (RejectedExecutionException closing) {
        return false;
      }
    }

    private HttpRequest authorized() {
      HttpRequest.Builder request = template.copy();
      String bearer = token == null ? null : token.get();
      if (bearer != null) {
        request.header("Authorization", "Bearer " + bearer);
      }
      return request.build();
    }

    void abandon() {
      result.completeExceptionally(new CancellationException("the client was closed"));
      CompletableFuture<HttpResponse<String>> current;
      synchronized (this) {
        current = exchange;
      }
      if (current != null) {
        current.cancel(true); // aborts the exchange (Java 16 and later)
      }
    }
  }
}
