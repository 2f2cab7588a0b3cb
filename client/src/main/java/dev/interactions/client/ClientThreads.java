package dev.interactions.client;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Names the threads of one client ({@code interactions-client-3-io-1}, …: the client's number in this JVM, then what
 * the threads do) so that they can be told apart in a thread dump, told from another client's, and counted after
 * {@link InteractionsClient#close()}. Daemon threads: a client somebody forgot to close must not keep the JVM alive.
 */
final class ClientThreads implements ThreadFactory {

  /** Every thread of every client is named starting with this. */
  static final String PREFIX = "interactions-client-";

  private static final AtomicInteger CLIENTS = new AtomicInteger();

  private final String name;
  private final AtomicInteger count = new AtomicInteger();

  /**
   * @param clientPrefix the prefix of the client's threads, from {@link #prefixOfNewClient()}
   * @param role what the threads do, e.g. {@code "io"}
   */
  ClientThreads(String clientPrefix, String role) {
    this.name = clientPrefix + role + "-";
  }

  /** The prefix of the thread names of a client being built: {@code interactions-client-<n>-}, a number of its own. */
  static String prefixOfNewClient() {
    return PREFIX + CLIENTS.incrementAndGet() + "-";
  }

  @Override
  public Thread newThread(Runnable task) {
    Thread thread = new Thread(task, name + count.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  }
}
