package dev.interactions.client;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The threads one client started, to check that none outlives its {@link InteractionsClient#close()}: its own ({@code
 * interactions-client-<n>-*}) and, for an HTTP client it created, the JDK's selector thread of that HTTP client ({@code
 * HttpClient-<id>-SelectorManager}). Only this client's, by name: threads of other clients in the JVM, earlier tests'
 * not collected yet or concurrent ones, do not count.
 */
public final class LeftoverThreads {

  /** The JDK's {@code HttpClient.toString()} ends with the client's id, which names its selector thread. */
  private static final Pattern HTTP_CLIENT_ID = Pattern.compile("\\((\\d+)\\)$");

  private final String ownPrefix;
  /** A name, not the HTTP client: holding that would keep its selector thread alive. */
  private final String selectorName;

  private LeftoverThreads(String ownPrefix, String selectorName) {
    this.ownPrefix = ownPrefix;
    this.selectorName = selectorName;
  }

  /** The threads of {@code client}, which must be open and have created its HTTP client. */
  public static LeftoverThreads of(InteractionsClient client) {
    String http = client.http().toString();
    Matcher id = HTTP_CLIENT_ID.matcher(http);
    if (!id.find()) {
      throw new AssertionError("cannot tell the selector thread of " + http + ": the JDK's HttpClient.toString() changed");
    }
    return new LeftoverThreads(client.threadNamePrefix(), "HttpClient-" + id.group(1) + "-SelectorManager");
  }

  /**
   * Waits (30 s at most) until every thread of the client has ended. On Java 17, which cannot close an HTTP client, its
   * selector thread ends only once the HTTP client is garbage collected and the thread next wakes (every few seconds)
   * to notice: the wait asks for collections meanwhile. On Java 21 the client closes its HTTP client and the thread
   * ends without them.
   */
  public void awaitNone() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (Thread thread : alive()) {
      boolean selector = thread.getName().equals(selectorName);
      while (thread.isAlive() && System.nanoTime() < deadline) {
        if (selector) {
          System.gc();
        }
        thread.join(100);
      }
    }
    List<Thread> left = alive();
    if (!left.isEmpty()) {
      throw new AssertionError("threads left behind: " + left.stream().map(Thread::getName).collect(Collectors.toList()));
    }
  }

  private List<Thread> alive() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(thread -> thread.getName().startsWith(ownPrefix) || thread.getName().equals(selectorName))
        .collect(Collectors.toList());
  }
}
