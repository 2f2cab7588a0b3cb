package dev.interactions.benchmarks;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A closed-loop load: {@code inFlight} requesters, each issuing its next request as soon as the previous one has its
 * outcome, spread over {@code sessions} sessions. Requester {@code i} starts on session {@code i % sessions} and moves
 * {@code inFlight} sessions on after each cycle, so that every session is used and, when one count divides the other,
 * no session has more than {@code ceil(inFlight / sessions)} interactions in flight.
 *
 * <p>Latency is measured from the call to {@code request} to the completion of its stage, on the thread that completes
 * it. A warm-up runs first and is not recorded.
 */
final class ClosedLoop {

  /** What is measured: request one interaction of session number {@code session} and complete with its outcome. */
  @FunctionalInterface
  interface Target {
    CompletionStage<?> request(int session);
  }

  /** What one measured window saw. */
  record Window(
      long cycles,
      long failures,
      Throwable firstFailure,
      Histogram latencyNanos,
      CpuSample.Delta usage,
      long handoffs,
      boolean drained) {}

  private static final int MAX_SYNCHRONOUS_DEPTH = 64;
  private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

  private final Target target;
  private final int sessions;
  private final int inFlight;
  private final Recorder latencies = new Recorder(3);
  private final LongAdder completed = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder handoffs = new LongAdder();
  private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
  private final CountDownLatch stopped;
  private volatile boolean running = true;

  private ClosedLoop(Target target, int sessions, int inFlight) {
    this.target = target;
    this.sessions = sessions;
    this.inFlight = inFlight;
    this.stopped = new CountDownLatch(inFlight);
  }

  static Window run(Target target, int sessions, int inFlight, Duration warmup, Duration measured)
      throws InterruptedException {
    ClosedLoop loop = new ClosedLoop(target, sessions, inFlight);
    for (int requester = 0; requester < inFlight; requester++) {
      loop.issue(requester % sessions);
    }
    Thread.sleep(warmup.toMillis());
    loop.latencies.getIntervalHistogram();
    long cyclesBefore = loop.completed.sum();
    long failuresBefore = loop.failed.sum();
    long handoffsBefore = loop.handoffs.sum();
    CpuSample before = CpuSample.now();
    Thread.sleep(measured.toMillis());
    CpuSample after = CpuSample.now();
    long cycles = loop.completed.sum() - cyclesBefore;
    long failures = loop.failed.sum() - failuresBefore;
    long handoffs = loop.handoffs.sum() - handoffsBefore;
    Histogram histogram = loop.latencies.getIntervalHistogram();
    loop.running = false;
    boolean drained = loop.stopped.await(60, TimeUnit.SECONDS);
    return new Window(
        cycles, failures, loop.firstFailure.get(), histogram, after.since(before), handoffs, drained);
  }

  /**
   * Runs until {@code cycles} have completed or {@code limit} has passed, whichever comes first, with no warm-up; then
   * stops issuing and waits for what is in flight. The window's cycles include those that completed while draining.
   */
  static Window runCycles(Target target, int sessions, int inFlight, long cycles, Duration limit)
      throws InterruptedException {
    ClosedLoop loop = new ClosedLoop(target, sessions, inFlight);
    CpuSample before = CpuSample.now();
    long deadline = System.nanoTime() + limit.toNanos();
    for (int requester = 0; requester < inFlight; requester++) {
      loop.issue(requester % sessions);
    }
    while (loop.completed.sum() + loop.failed.sum() < cycles && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    loop.running = false;
    boolean drained = loop.stopped.await(120, TimeUnit.SECONDS);
    CpuSample after = CpuSample.now();
    return new Window(
        loop.completed.sum(),
        loop.failed.sum(),
        loop.firstFailure.get(),
        loop.latencies.getIntervalHistogram(),
        after.since(before),
        loop.handoffs.sum(),
        drained);
  }

  /**
   * Issues requests for one requester, starting with session {@code session}, until one is still pending: its
   * completion continues the loop on the thread that completes it. Outcomes that are already there when the request
   * returns are taken in this loop, so that a fast target does not deepen the stack.
   */
  private void issue(int session) {
    int current = session;
    while (running) {
      long start = System.nanoTime();
      CompletableFuture<?> outcome;
      try {
        outcome = target.request(current).toCompletableFuture();
      } catch (RuntimeException e) {
        outcome = CompletableFuture.failedFuture(e);
      }
      if (!outcome.isDone()) {
        int requested = current;
        outcome.whenComplete((result, failure) -> onOutcome(requested, start, failure));
        return;
      }
      record(start, failureOf(outcome));
      current = following(current);
    }
    stopped.countDown();
  }

  private void onOutcome(int session, long start, Throwable failure) {
    record(start, failure);
    int next = following(session);
    int[] depth = DEPTH.get();
    if (depth[0] >= MAX_SYNCHRONOUS_DEPTH) {
      // Only when outcomes keep arriving while the callback is being registered: continue elsewhere rather than grow
      // this thread's stack. Counted, and reported, because the time in that queue is not in the latency.
      handoffs.increment();
      ForkJoinPool.commonPool().execute(() -> issue(next));
      return;
    }
    depth[0]++;
    try {
      issue(next);
    } finally {
      depth[0]--;
    }
  }

  private void record(long start, Throwable failure) {
    if (failure == null) {
      latencies.recordValue(System.nanoTime() - start);
      completed.increment();
    } else {
      failed.increment();
      firstFailure.compareAndSet(null, failure);
    }
  }

  private int following(int session) {
    return (session + inFlight) % sessions;
  }

  private static Throwable failureOf(CompletableFuture<?> done) {
    try {
      done.join();
      return null;
    } catch (CompletionException | CancellationException e) {
      return e;
    }
  }
}
