package dev.interactions.loadtool;

import dev.interactions.client.InteractionsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The run's WebSocket clients: one slot per client, each slot on one session, each kept filled by a {@link LoadDevice}.
 * A device that drops or disconnects by fate, or that the server refuses for good, is replaced by a new one (a new
 * connection id) after a short pause, so the server sees devices churn while the number connected stays about
 * constant. A connection lost otherwise is reconnected by the client library, with its backoff.
 *
 * <p>The devices are the client library's: a device costs its socket and a few objects, no thread. They share the
 * threads of {@link #HTTP_CLIENTS} HTTP clients and, per HTTP client and server, one library client's timer thread.
 */
final class ClientFleet {

  /**
   * Connections opened at once during the initial ramp. The server's listen backlog (1,024) overflowing shows up as SYN
   * cookies and slow connects; a few dozen at a time ramps quickly without that.
   */
  private static final int CONNECTS_AT_ONCE = 64;

  /**
   * The JDK's HttpClient reads all its WebSockets on one selector thread; a few clients spread thousands of sockets
   * over a few threads.
   */
  private static final int HTTP_CLIENTS = 4;

  /** How long a WebSocket may take to open: a ramp of thousands of connections on a busy machine is slow. */
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

  /** How long a clean close may wait for the server's close frame before the socket is dropped (and that counted). */
  static final Duration CLOSE_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

  private static final Duration RAMP_DEADLINE = Duration.ofMinutes(5);
  private static final int REPLACE_PAUSE_MIN_MS = 200;
  private static final int REPLACE_PAUSE_MAX_MS = 700;
  private static final Duration FORGET_CLAIMS_EVERY = Duration.ofSeconds(10);

  private final LoadOptions options;
  private final String runId;
  private final Claims claims = new Claims();
  private final Tally tally;
  private final List<ExecutorService> httpExecutors = new ArrayList<>();
  /** For each of the {@link #HTTP_CLIENTS} HTTP clients, the library's client of each server over it. */
  private final List<Map<URI, InteractionsClient>> clients = new ArrayList<>();
  /** The pauses before replacements, and forgetting old claims. */
  private final ScheduledExecutorService timers;
  private final Set<LoadDevice> live = ConcurrentHashMap.newKeySet();
  private volatile boolean stopping;

  ClientFleet(LoadOptions options, String runId, Tally tally) {
    this.options = options;
    this.runId = runId;
    this.tally = tally;
    this.timers = Executors.newSingleThreadScheduledExecutor(daemon("load-client-timers"));
    long every = FORGET_CLAIMS_EVERY.toMillis();
    timers.scheduleAtFixedRate(claims::forgetOld, every, every, TimeUnit.MILLISECONDS);
    String token = options.clientToken().orElse(null);
    for (int i = 0; i < HTTP_CLIENTS; i++) {
      ExecutorService executor = Executors.newFixedThreadPool(2, daemon("load-client-io-" + i));
      httpExecutors.add(executor);
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor).build();
      Map<URI, InteractionsClient> byServer = new HashMap<>();
      for (URI server : options.urls()) {
        byServer.put(
            server,
            InteractionsClient.builder(server)
                .httpClient(http)
                .token(() -> token)
                .connectTimeout(CONNECT_TIMEOUT)
                .closeTimeout(CLOSE_HANDSHAKE_TIMEOUT)
                .build());
      }
      clients.add(byServer);
    }
  }

  /**
   * Connects every slot, {@link #CONNECTS_AT_ONCE} at a time, and returns once each slot's first attempt has opened or
   * failed (failed slots keep retrying).
   */
  void start() throws InterruptedException {
    Semaphore permits = new Semaphore(CONNECTS_AT_ONCE);
    CountDownLatch attempted = new CountDownLatch(options.clients());
    for (int slot = 0; slot < options.clients(); slot++) {
      permits.acquire();
      connect(slot)
          .whenComplete(
              (ignored, failure) -> {
                permits.release();
                attempted.countDown();
              });
    }
    if (!attempted.await(RAMP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
      tally.error("ws connect: ramp not done within " + RAMP_DEADLINE.toMinutes() + " min");
    }
  }

  /**
   * Stops replacing clients and closes every connection cleanly; a socket whose close handshake does not end within
   * {@link #CLOSE_HANDSHAKE_TIMEOUT} is dropped (and counted). Returns when all are gone, then releases the fleet's
   * threads.
   */
  void stop() throws InterruptedException {
    List<LoadDevice> closing;
    synchronized (this) {
      stopping = true;
      closing = List.copyOf(live);
    }
    closing.forEach(LoadDevice::close);
    CompletableFuture<Void> all = CompletableFuture.allOf(closing.stream().map(LoadDevice::end).toArray(CompletableFuture[]::new));
    try {
      all.get(CLOSE_HANDSHAKE_TIMEOUT.multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // Each handshake ends at its timeout, by the library's timer; closing the clients below ends any left all the same.
    }
    clients.forEach(byServer -> byServer.values().forEach(InteractionsClient::close));
    timers.shutdownNow();
    httpExecutors.forEach(ExecutorService::shutdown);
  }

  /** Synchronized with {@link #stop()} so that no device is added after the fleet took its list of devices to close. */
  private synchronized CompletableFuture<Void> connect(int slot) {
    if (stopping) {
      return CompletableFuture.completedFuture(null);
    }
    InteractionsClient client = clients.get(slot % HTTP_CLIENTS).get(options.clientUrl(slot));
    LoadDevice device = new LoadDevice(client.device(options.sessionOf(runId, slot)), claims, tally);
    live.add(device);
    device.end().thenRun(() -> replace(slot, device));
    return device.connect();
  }

  private void replace(int slot, LoadDevice gone) {
    live.remove(gone);
    if (stopping) {
      return;
    }
    long pause = ThreadLocalRandom.current().nextLong(REPLACE_PAUSE_MIN_MS, REPLACE_PAUSE_MAX_MS);
    timers.schedule(() -> connect(slot), pause, TimeUnit.MILLISECONDS);
  }

  private static ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
