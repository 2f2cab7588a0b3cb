package dev.interactions.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a device's handlers rely on: one task at a time, in the order handed over, whatever runs them. */
class SerialExecutorTest {

  private final ExecutorService shared = Executors.newFixedThreadPool(4);
  private final SerialExecutor serial = new SerialExecutor(shared);

  @AfterEach
  void stop() {
    shared.shutdownNow();
  }

  @Test
  void tasksHandedOverFromManyThreadsRunOneAtATimeEachThreadsInItsOrder() throws Exception {
    int threads = 4;
    int tasksEach = 2_000;
    AtomicInteger running = new AtomicInteger();
    AtomicBoolean overlapped = new AtomicBoolean();
    List<List<Integer>> ran = new ArrayList<>();
    CountDownLatch done = new CountDownLatch(threads * tasksEach);
    ExecutorService submitters = Executors.newFixedThreadPool(threads);
    try {
      for (int t = 0; t < threads; t++) {
        List<Integer> order = new ArrayList<>(); // only ever touched by the serial executor's tasks
        ran.add(order);
        submitters.execute(
            () -> {
              for (int i = 0; i < tasksEach; i++) {
                int task = i;
                serial.execute(
                    () -> {
                      overlapped.compareAndSet(false, running.incrementAndGet() > 1);
                      order.add(task);
                      running.decrementAndGet();
                      done.countDown();
                    });
              }
            });
      }

      assertTrue(done.await(20, TimeUnit.SECONDS), "every task ran");
    } finally {
      submitters.shutdownNow();
    }
    assertFalse(overlapped.get(), "no two tasks ran at once");
    for (List<Integer> order : ran) {
      for (int i = 0; i < tasksEach; i++) {
        assertEquals(i, order.get(i));
      }
    }
  }

  @Test
  void aTaskThatFailsDoesNotKeepTheNextOnesFromRunning() throws Exception {
    LinkedBlockingQueue<String> ran = new LinkedBlockingQueue<>();

    serial.execute(() -> {
      throw new IllegalStateException("a bug in a task");
    });
    serial.execute(() -> ran.add("after an exception"));
    serial.execute(() -> {
      throw new AssertionError("an error in a task");
    });
    serial.execute(() -> ran.add("after an error"));

    assertEquals("after an exception", ran.poll(20, TimeUnit.SECONDS));
    assertEquals("after an error", ran.poll(20, TimeUnit.SECONDS));
  }

  @Test
  void onceItsExecutorStoppedTasksStillRunInOrder() throws Exception {
    shared.shutdown();
    LinkedBlockingQueue<Integer> ran = new LinkedBlockingQueue<>();

    for (int i = 0; i < 3; i++) {
      int task = i;
      serial.execute(() -> ran.add(task));
    }

    for (int task = 0; task < 3; task++) {
      assertEquals(task, ran.poll(20, TimeUnit.SECONDS));
    }
  }
}
