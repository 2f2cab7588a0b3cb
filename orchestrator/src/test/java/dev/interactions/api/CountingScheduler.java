package dev.interactions.api;

import com.typesafe.config.Config;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.LightArrayRevolverScheduler;
import org.apache.pekko.event.LoggingAdapter;
import scala.concurrent.ExecutionContext;
import scala.concurrent.duration.FiniteDuration;

/**
 * Pekko's own scheduler, counting single-shot tasks that are scheduled and have neither run nor been cancelled. Every
 * timer of an actor and every ask timeout is such a task, so the count tells whether timers outlive their owners.
 */
public final class CountingScheduler extends LightArrayRevolverScheduler {

  private static final AtomicLong OUTSTANDING = new AtomicLong();

  public CountingScheduler(Config config, LoggingAdapter log, ThreadFactory threadFactory) {
    super(config, log, threadFactory);
  }

  /** Single-shot tasks scheduled and not yet run or cancelled. */
  static long outstanding() {
    return OUTSTANDING.get();
  }

  @Override
  public Cancellable scheduleOnce(FiniteDuration delay, Runnable runnable, ExecutionContext executor) {
    AtomicBoolean settled = new AtomicBoolean();
    OUTSTANDING.incrementAndGet();
    Cancellable task =
        super.scheduleOnce(
            delay,
            () -> {
              if (settled.compareAndSet(false, true)) {
                OUTSTANDING.decrementAndGet();
              }
              runnable.run();
            },
            executor);
    return new Cancellable() {
      @Override
      public boolean cancel() {
        boolean cancelled = task.cancel();
        if (cancelled && settled.compareAndSet(false, true)) {
          OUTSTANDING.decrementAndGet();
        }
        return cancelled;
      }

      @Override
      public boolean isCancelled() {
        return task.isCancelled();
      }
    };
  }
}
