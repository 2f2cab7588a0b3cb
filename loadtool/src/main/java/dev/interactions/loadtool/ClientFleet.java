package dev.interactions.loadtool;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The run's WebSocket clients: one slot per client, each slot on one session, each kept filled. A client that drops,
 * disconnects or is closed by the server is replaced by a new connection (a new connection id) after a short pause, so
 * the server sees devices churn while the number connected stays about constant.
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

  private static final Duration RAMP_DEADLINE = Duration.ofMinutes(5);
  private static final int REPLACE_PAUSE_MIN_MS = 200;
  private static final int REPLACE_PAUSE_MAX_MS = 700;
  private static final Duration FORGET_CLAIMS_EVERY = Duration.ofSeconds(10);

  private final LoadOptions options;
  private final String runId;
  private final Claims claims = new Claims();
  private final Tally tally;
  private final ObjectMapper json;
  private final List<HttpClient> httpClients = new ArrayList<>();
  private final List<ExecutorService> httpExecutors = new ArrayList<>();
  private final ScheduledExecutorService timers;
  private final Set<LoadClient> live = ConcurrentHashMap.newKeySet();
  private volatile boolean stopping;

  ClientFleet(LoadOptions options, String runId, Tally tally, ObjectMapper json) {
    this.options = options;
    this.runId = runId;
    this.tally = tally;
    this.json = json;
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, daemon("load-client-timers"));
    // Every client has a ping task; without this, cancelled ones would stay queued until their next run.
    scheduler.setRemoveOnCancelPolicy(true);
    this.timers = scheduler;
    long every = FORGET_CLAIMS_EVERY.toMillis();
    timers.scheduleAtFixedRate(claims::forgetOld, every, every, TimeUnit.MILLISECONDS);
    for (int i = 0; i < HTTP_CLIENTS; i++) {
      ExecutorService executor = Executors.newFixedThreadPool(2, daemon("load-client-io-" + i));
      httpExecutors.add(executor);
      httpClients.add(
          HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor).build());
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
   * Stops replacing clients and closes every connection cleanly; those not closed within the close handshake timeout
   * are aborted. Returns when all are gone, then releases the fleet's threads.
   */
  void stop() throws InterruptedException {
    List<LoadClient> closing;
    synchronized (this) {
      stopping = true;
      closing = List.copyOf(live);
    }
    closing.forEach(LoadClient::close);
    CompletableFuture<Void> all = CompletableFuture.allOf(closing.stream().map(LoadClient::end).toArray(CompletableFuture[]::new));
    try {
      all.get(LoadClient.CLOSE_HANDSHAKE_TIMEOUT.multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      closing.forEach(LoadClient::abort);
    }
    timers.shutdownNow();
    httpExecutors.forEach(ExecutorService::shutdown);
  }

  /** Synchronized with {@link #stop()} so that no client is added after the fleet took its list of clients to close. */
  private synchronized CompletableFuture<Void> connect(int slot) {
    if (stopping) {
      return CompletableFuture.completedFuture(null);
    }
    LoadClient client = new LoadClient(json, claims, tally, timers, gone -> replace(slot, gone));
    live.add(client);
    return client.connect(httpClients.get(slot % HTTP_CLIENTS), webSocketUri(slot));
  }

  private void replace(int slot, LoadClient gone) {
    live.remove(gone);
    if (stopping) {
      return;
    }
    long pause = ThreadLocalRandom.current().nextLong(REPLACE_PAUSE_MIN_MS, REPLACE_PAUSE_MAX_MS);
    timers.schedule(() -> connect(slot), pause, TimeUnit.MILLISECONDS);
  }

  /** The WebSocket of slot {@code slot}'s session on the server of that slot; a replacement reconnects to the same one. */
  private URI webSocketUri(int slot) {
    URI base = options.clientUrl(slot);
    String scheme = base.getScheme().equals("https") ? "wss" : "ws";
    String token =
        options.clientToken()
            .map(value -> "?access_token=" + URLEncoder.encode(value, StandardCharsets.UTF_8))
            .orElse("");
    return URI.create(
        scheme + "://" + base.getRawAuthority() + base.getRawPath() + "/v1/sessions/" + options.sessionOf(runId, slot)
            + "/ws" + token);
  }

  private static ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
