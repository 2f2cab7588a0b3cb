package dev.interactions.client;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Names the threads of one client ({@code interactions-client-io-1}, …) so that they can be told apart in a thread dump
 * and counted after {@link InteractionsClient#close()}. Daemon threads: a client somebody forgot to close must not keep
 * the JVM alive.
 */
final class ClientThreads implements ThreadFactory {

  /** Every thread of a client is named starting with this. */
  static final String PREFIX = "interactions-client-";

  private final String name;
  private final AtomicInteger count = new AtomicInteger();

  /** @param role what the threads do, e.g. {@code "io"} */
  ClientThreads(String role) {
    this.name = PREFIX + role + "-";
  }

  @Override
  public Thread newThread(Runnable task) {
    Thread thread = new Thread(task, name + count.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  }
}
