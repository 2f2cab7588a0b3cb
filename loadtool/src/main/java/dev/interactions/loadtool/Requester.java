package dev.interactions.loadtool;

import dev.interactions.client.InteractionRequest;
import dev.interactions.client.InteractionState;
import dev.interactions.client.InteractionsClient;
import dev.interactions.client.RefusedException;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;

/**
 * One requester: requests an interaction, waits for its outcome, and starts the next, until told to stop. Every
 * interaction ends in exactly one of three ways in the {@link Tally}: an outcome, a definite error, or hung (its outcome
 * was not learned by its deadline plus a margin).
 *
 * <p>It calls its server through the client library's requester, built by {@link LoadRun} without retries (a refused or
 * failed call is counted, not retried away) and with {@link #RESPONSE_SLACK} as its response timeout. An interaction is
 * created with a wait past its deadline, so that its outcome normally comes with the create's response, as a backend
 * waiting for its person gets it; long polls follow only when the server answered sooner. The requester bounds the wait
 * itself, so that a lost outcome shows up as hung.
 */
final class Requester implements Runnable {

  /**
   * The {@code timeoutMs} of interactions meant to be answered, rejected or cancelled: long enough that they do not
   * expire on a loaded machine, short enough that a lost one shows up as hung within the run.
   */
  static final Duration PATIENT_TIMEOUT = Duration.ofSeconds(30);

  /** How long past an interaction's deadline its outcome may take to arrive before the tool calls it hung. */
  static final Duration HANG_MARGIN = Duration.ofSeconds(30);

  /** How long past the wait it asked for a response may take before the tool calls the request hung. */
  static final Duration RESPONSE_SLACK = Duration.ofSeconds(30);

  /**
   * The server holds a long poll at most {@code orchestrator.transport.max-wait} (60 s by default); asking for more is
   * capped by the server, so the tool never asks for more.
   */
  private static final Duration MAX_WAIT = Duration.ofSeconds(60);

  /** How long a cancelling requester waits (long-polls) before it gives up and cancels: clients see it meanwhile. */
  private static final Duration CANCEL_AFTER = Duration.ofMillis(50);

  /** How far past its deadline the create-and-wait holds: the outcome then arrives with the create's response. */
  private static final Duration WAIT_PAST_DEADLINE = Duration.ofSeconds(5);

  private final int number;
  private final InteractionsClient server;
  private final LoadOptions options;
  private final String runId;
  private final Tally tally;
  private final BooleanSupplier stopping;
  private final SplittableRandom random;

  /** @param server the client of the server this requester sends to */
  Requester(
      int number, InteractionsClient server, LoadOptions options, String runId, Tally tally, BooleanSupplier stopping) {
    this.number = number;
    this.server = server;
    this.options = options;
    this.runId = runId;
    this.tally = tally;
    this.stopping = stopping;
    this.random = new SplittableRandom(runId.hashCode() * 31L + number);
  }

  @Override
  public void run() {
    while (!stopping.getAsBoolean() && !Thread.currentThread().isInterrupted()) {
      requestOne();
    }
  }

  private void requestOne() {
    Fate fate = options.mix().draw(random);
    String sessionId = LoadOptions.sessionId(runId, random.nextInt(options.sessions()));
    Duration timeout = fate.runsToDeadline() ? options.interactionTimeout() : PATIENT_TIMEOUT;
    InteractionRequest request =
        InteractionRequest.builder("load-test", Map.of("fate", fate.wireName(), "requester", number)).timeout(timeout).build();
    long started = System.nanoTime();
    tally.interactionStarted();
    try {
      InteractionState created =
          fate == Fate.CANCEL
              ? outcomeOf(server.requester().create(sessionId, request), "create")
              : outcomeOf(server.requester().create(sessionId, request, capped(timeout.plus(WAIT_PAST_DEADLINE))), "create");
      if (created == null) {
        return;
      }
      InteractionState ended =
          fate == Fate.CANCEL
              ? cancelled(sessionId, created.id())
              : awaited(sessionId, created, started + timeout.plus(HANG_MARGIN).toNanos());
      if (ended != null) {
        tally.outcome(fate, ended.status(), System.nanoTime() - started);
      }
    } catch (InterruptedException e) {
      tally.hung("requester interrupted while waiting");
      Thread.currentThread().interrupt();
    } finally {
      tally.interactionFinished();
    }
  }

  /** Long-polls until the interaction ends; null when it did not end by {@code deadlineNanos} or a read failed. */
  private InteractionState awaited(String sessionId, InteractionState created, long deadlineNanos)
      throws InterruptedException {
    InteractionState state = created;
    while (state.isPending()) {
      Duration remaining = Duration.ofNanos(deadlineNanos - System.nanoTime());
      if (remaining.toMillis() <= 0) {
        tally.hung("still pending after its deadline + " + HANG_MARGIN.toSeconds() + " s");
        return null;
      }
      // With closed-retention 0 a read racing the end is 404: the outcome is lost, which the report should show.
      state = outcomeOf(server.requester().await(sessionId, created.id(), capped(remaining)), "read");
      if (state == null) {
        return null;
      }
    }
    return state;
  }

  /** Lets clients see it for a moment, then cancels it; null when that failed. */
  private InteractionState cancelled(String sessionId, String id) throws InterruptedException {
    InteractionState seen = outcomeOf(server.requester().await(sessionId, id, CANCEL_AFTER), "read");
    if (seen == null || !seen.isPending()) {
      return seen;
    }
    InteractionState cancelled = outcomeOf(server.requester().cancel(sessionId, id), "cancel");
    if (cancelled != null && cancelled.isPending()) {
      tally.error("cancel: still pending");
      return null;
    }
    return cancelled;
  }

  /**
   * The state {@code call} completes with; null once its failure is counted: a refusal as an error named after {@code
   * what} and its status and code ({@code "create: 429 pending_limit"}), an unreachable server as an {@code http:}
   * error, a response that did not come in time as hung.
   */
  private InteractionState outcomeOf(CompletableFuture<InteractionState> call, String what) throws InterruptedException {
    try {
      return call.get();
    } catch (InterruptedException e) {
      call.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      Throwable failure = e.getCause();
      if (failure instanceof RefusedException refused) {
        tally.error(what + ": " + refused.httpStatus().orElse(0) + (refused.code() == null ? "" : " " + refused.code()));
      } else if (failure instanceof HttpTimeoutException) {
        tally.hung("no HTTP response in time");
      } else if (failure instanceof IOException) {
        tally.error("http: " + failure.getClass().getSimpleName());
      } else if (!(failure instanceof CancellationException)) {
        // A success status whose body is not an interaction: the server's fault, reported as what it is.
        tally.error(what + ": unreadable response");
      }
      // A CancellationException: the run closed the client after giving up on this requester, and counted it then.
      return null;
    }
  }

  private static Duration capped(Duration wait) {
    return wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait;
  }
}
