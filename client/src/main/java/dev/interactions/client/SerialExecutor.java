package dev.interactions.client;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs tasks one at a time, in the order they were handed to it, on a shared executor: what a device tells its
 * handlers. It holds no thread: while it has tasks, one task of the shared executor runs them, and then it returns
 * the thread. Thousands of devices can share one small executor this way, each still telling its handlers one thing at
 * a time.
 */
final class SerialExecutor implements Executor {

  private static final System.Logger LOG = System.getLogger(SerialExecutor.class.getName());

  private final Executor executor;
  /** Guarded by this. */
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  /** Whether a drain is running or handed to the executor: then it runs what is added too. Guarded by this. */
  private boolean draining;

  SerialExecutor(Executor executor) {
    this.executor = executor;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      tasks.add(task);
      if (draining) {
        return;
      }
      draining = true;
    }
    startDraining();
  }

  private void startDraining() {
    try {
      executor.execute(this::drain);
    } catch (RejectedExecutionException stopped) {
      // The executor stopped (its client closed, or its owner shut it down): what is left runs on the common pool,
      // still one task at a time, as this is the only drain. Not here: the caller may hold its device's lock.
      ForkJoinPool.commonPool().execute(this::drain);
    }
  }

  private void drain() {
    while (true) {
      Runnable task;
      synchronized (this) {
        task = tasks.poll();
        if (task == null) {
          draining = false;
          return;
        }
      }
      boolean finished = false;
      try {
        task.run();
        finished = true;
      } catch (RuntimeException e) {
        finished = true;
        LOG.log(System.Logger.Level.WARNING, "a task of a device failed", e);
      } finally {
        if (!finished) {
          startDraining(); // an Error escapes to the executor; the tasks after it still run, in a drain of their own
        }
      }
    }
  }
}
