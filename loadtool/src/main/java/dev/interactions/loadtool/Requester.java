package dev.interactions.loadtool;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * One requester: requests an interaction, waits for its outcome, and starts the next, until told to stop. Every
 * interaction ends in exactly one of three ways in the {@link Tally}: an outcome, a definite error, or hung (its outcome
 * was not learned by its deadline plus a margin).
 */
final class Requester implements Runnable {

  /**
   * The {@code timeoutMs} of interactions meant to be answered, rejected or cancelled: long enough that they do not
   * expire on a loaded machine, short enough that a lost one shows up as hung within the run.
   */
  static final Duration PATIENT_TIMEOUT = Duration.ofSeconds(30);

  /** How long past an interaction's deadline its outcome may take to arrive before the tool calls it hung. */
  static final Duration HANG_MARGIN = Duration.ofSeconds(30);

  /** How long a cancelling requester waits (long-polls) before it gives up and cancels: clients see it meanwhile. */
  private static final long CANCEL_AFTER_MS = 50;

  /** How far past its deadline the create-and-wait holds: the outcome then arrives with the create's response. */
  private static final long WAIT_PAST_DEADLINE_MS = 5_000;

  private final int number;
  private final RequesterApi api;
  private final LoadOptions options;
  private final String runId;
  private final Tally tally;
  private final BooleanSupplier stopping;
  private final ObjectMapper json;
  private final SplittableRandom random;

  Requester(
      int number,
      RequesterApi api,
      LoadOptions options,
      String runId,
      Tally tally,
      BooleanSupplier stopping,
      ObjectMapper json) {
    this.number = number;
    this.api = api;
    this.options = options;
    this.runId = runId;
    this.tally = tally;
    this.stopping = stopping;
    this.json = json;
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
    long timeoutMs = fate.runsToDeadline() ? options.interactionTimeout().toMillis() : PATIENT_TIMEOUT.toMillis();
    String body =
        json.createObjectNode()
            .put("kind", "load-test")
            .put("timeoutMs", timeoutMs)
            .set("payload", json.createObjectNode().put("fate", fate.wireName()).put("requester", number))
            .toString();
    long started = System.nanoTime();
    tally.interactionStarted();
    try {
      RequesterApi.Reply created =
          api.create(sessionId, body, fate == Fate.CANCEL ? 0 : timeoutMs + WAIT_PAST_DEADLINE_MS);
      if (!created.isInteraction()) {
        tally.error(created.errorKind("create"));
        return;
      }
      RequesterApi.Reply ended =
          fate == Fate.CANCEL
              ? cancelled(sessionId, created.id())
              : awaited(sessionId, created, started + Duration.ofMillis(timeoutMs).plus(HANG_MARGIN).toNanos());
      if (ended != null) {
        tally.outcome(fate, ended.outcome(), System.nanoTime() - started);
      }
    } catch (HttpTimeoutException e) {
      tally.hung("no HTTP response in time");
    } catch (IOException e) {
      tally.error("http: " + e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      tally.hung("requester interrupted while waiting");
      Thread.currentThread().interrupt();
    } finally {
      tally.interactionFinished();
    }
  }

  /** Long-polls until the interaction ends; null when it did not end by {@code deadlineNanos} or a read failed. */
  private RequesterApi.Reply awaited(String sessionId, RequesterApi.Reply created, long deadlineNanos)
      throws IOException, InterruptedException {
    RequesterApi.Reply state = created;
    while (!state.isFinal()) {
      long remainingMs = Duration.ofNanos(deadlineNanos - System.nanoTime()).toMillis();
      if (remainingMs <= 0) {
        tally.hung("still pending after its deadline + " + HANG_MARGIN.toSeconds() + " s");
        return null;
      }
      state = api.read(sessionId, created.id(), remainingMs);
      if (!state.isInteraction()) {
        // With closed-retention 0 a read racing the end is 404: the outcome is lost, which the report should show.
        tally.error(state.errorKind("read"));
        return null;
      }
    }
    return state;
  }

  /** Lets clients see it for a moment, then cancels it; null when that failed. */
  private RequesterApi.Reply cancelled(String sessionId, String id) throws IOException, InterruptedException {
    RequesterApi.Reply seen = api.read(sessionId, id, CANCEL_AFTER_MS);
    if (seen.isFinal()) {
      return seen;
    }
    if (!seen.isInteraction()) {
      tally.error(seen.errorKind("read"));
      return null;
    }
    RequesterApi.Reply cancelled = api.cancel(sessionId, id);
    if (!cancelled.isFinal()) {
      tally.error(cancelled.errorKind("cancel"));
      return null;
    }
    return cancelled;
  }
}
