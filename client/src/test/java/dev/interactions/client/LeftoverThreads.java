package dev.interactions.client;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * The threads a client may start: its own ({@code interactions-client-*}) and the JDK HTTP client's selector ({@code
 * HttpClient-*}). A snapshot taken before a client is built, to check afterwards that none of the threads it started
 * outlived it.
 */
final class LeftoverThreads {

  private final Set<Thread> before = clientThreads();

  /**
   * Waits (30 s at most) until every such thread started since the snapshot has ended. On Java 17 the JDK's selector
   * thread ends only once its HTTP client is garbage collected, so the wait asks for collections.
   */
  void awaitNone() throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    Set<Thread> left;
    while (!(left = startedSince()).isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("threads left behind: " + left.stream().map(Thread::getName).collect(Collectors.toList()));
      }
      System.gc();
      Thread.sleep(100); // the selector thread wakes every few seconds to notice its client is gone: nothing to wait on
    }
  }

  private Set<Thread> startedSince() {
    Set<Thread> now = clientThreads();
    now.removeAll(before);
    return now;
  }

  private static Set<Thread> clientThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> t.getName().startsWith(ClientThreads.PREFIX) || t.getName().startsWith("HttpClient-"))
        .collect(Collectors.toSet());
  }
}
