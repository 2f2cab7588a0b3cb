package dev.interactions.client;

import dev.interactions.protocol.Identifiers;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A client of one interaction orchestrator server: its {@link #requester() requester side} over HTTP, and {@link
 * #device devices} of its sessions over WebSockets. It owns the threads and the HTTP client that its calls and
 * devices share; create one per server and {@link #close()} it when done.
 *
 * <pre>{@code
 * try (InteractionsClient client = InteractionsClient.builder(URI.create("http://localhost:8080"))
 *     .token(tokens::current)
 *     .build()) {
 *   InteractionState outcome = client.requester()
 *       .createAndWait("alice", InteractionRequest.of("confirm", Map.of("message", "Deploy?")))
 *       .join();
 * }
 * }</pre>
 *
 * <p>A device's side is in {@link Device}.
 *
 * <p>Thread-safe. Futures complete, and device handlers run, on the client's own threads ({@code
 * interactions-client-<n>-*}, {@code n} numbering the clients of the JVM), or on the executor of an HTTP client given to
 * it; work that blocks belongs on an executor of your own ({@code thenApplyAsync(…, executor)}).
 *
 * <p>Devices cost no thread of their own: all of a client's devices share its one timer thread (pings, reconnects,
 * reply and close timeouts), its HTTP client, and the executor their handlers run on (each device's one at a time), so
 * one JVM can hold thousands. The JDK reads all the WebSockets of an HTTP client on its one selector thread; to spread
 * many devices over more, build a client per {@link Builder#httpClient HTTP client}.
 */
public final class InteractionsClient implements AutoCloseable {

  /** Null once closed, so that a closed client does not keep the HTTP client (and its selector thread) reachable. */
  private HttpClient http;
  /** What the names of this client's threads start with: {@code interactions-client-<n>-}. */
  private final String threadNamePrefix;
  /**
   * Threads this client created and stops: the HTTP client's when it created that too, else the handlers' when the HTTP
   * client given to it has no executor to share; null when the given HTTP client's executor runs the handlers.
   */
  private final ExecutorService ownExecutor;
  /** Whether this client created the HTTP client, and so closes it. */
  private final boolean ownsHttp;
  /** Where device handlers run: the HTTP client's executor, where the frames arrive, or this client's own. */
  private final Executor handlerExecutor;
  private final ScheduledThreadPoolExecutor timers;
  private final RetryingHttp calls;
  private final Requester requester;
  private final URI server;
  private final Supplier<String> token;
  private final DeviceSettings deviceSettings;
  /** Devices whose connection is not over yet (open, or closing), to close with the client; guarded by this. */
  private final Set<Device> devices = new HashSet<>();

  private InteractionsClient(Builder builder) {
    this.threadNamePrefix = ClientThreads.prefixOfNewClient();
    this.timers = new ScheduledThreadPoolExecutor(1, new ClientThreads(threadNamePrefix, "timer"));
    // Cancelled timers (a reply's deadline, a heartbeat) leave the queue at once instead of at their due time.
    timers.setRemoveOnCancelPolicy(true);
    this.ownsHttp = builder.http == null;
    if (ownsHttp) {
      this.ownExecutor = Executors.newCachedThreadPool(new ClientThreads(threadNamePrefix, "io"));
      this.http = HttpClient.newBuilder().connectTimeout(builder.connectTimeout).executor(ownExecutor).build();
    } else {
      this.http = builder.http;
      // The JDK's default executor of an HTTP client is out of reach: a pool of this client's own runs the handlers.
      this.ownExecutor =
          builder.http.executor().isPresent()
              ? null
              : Executors.newCachedThreadPool(new ClientThreads(threadNamePrefix, "handler"));
    }
    this.handlerExecutor = ownExecutor != null ? ownExecutor : builder.http.executor().orElseThrow();
    this.calls = new RetryingHttp(http, timers, builder.retry, builder.token);
    this.requester = new Requester(calls, builder.server, builder.responseTimeout);
    this.server = builder.server;
    this.token = builder.token;
    this.deviceSettings =
        new DeviceSettings(builder.connectTimeout, builder.reconnect, builder.replyTimeout, builder.closeTimeout);
  }

  /** A builder of a client of the server at {@code server}, e.g. {@code http://localhost:8080}. */
  public static Builder builder(URI server) {
    return new Builder(server);
  }

  /** The requester side: create interactions, read and wait for their outcomes, cancel them, read the history. */
  public Requester requester() {
    return requester;
  }

  /**
   * A device of session {@code sessionId}, with the client's token supplier; it connects when told to ({@link
   * Device#connect()}), once its handlers are registered.
   *
   * @throws dev.interactions.protocol.InvalidInputException if the id does not match the protocol's id pattern
   * @throws IllegalStateException if the client was closed
   */
  public Device device(String sessionId) {
    return device(sessionId, token);
  }

  /**
   * A device of session {@code sessionId} with a token supplier of its own (a person's token, where the client's is the
   * backend's); asked again at every reconnect. Null sends no token.
   *
   * @throws dev.interactions.protocol.InvalidInputException if the id does not match the protocol's id pattern
   * @throws IllegalStateException if the client was closed
   */
  public Device device(String sessionId, Supplier<String> token) {
    URI uri =
        URI.create(
            server.toString().replaceFirst("^http", "ws").replaceAll("/+$", "")
                + "/v1/sessions/"
                + Identifiers.require("sessionId", sessionId)
                + "/ws");
    synchronized (this) {
      if (http == null) {
        throw new IllegalStateException("the client was closed");
      }
      Device device = new Device(this, sessionId, uri, token, deviceSettings, timers, handlerExecutor);
      devices.add(device);
      return device;
    }
  }

  /** The HTTP client, for a device's next connection. @throws IllegalStateException once closed */
  synchronized HttpClient http() {
    if (http == null) {
      throw new IllegalStateException("the client was closed");
    }
    return http;
  }

  /** What the names of this client's own threads start with ({@code interactions-client-<n>-}). */
  String threadNamePrefix() {
    return threadNamePrefix;
  }

  /** {@code device} closed, and its connection is over. */
  synchronized void forget(Device device) {
    devices.remove(device);
  }

  /**
   * Closes the client: its devices close, all at once (it waits one close timeout at most for their close handshakes,
   * however many there are), calls still in flight fail with a {@code CancellationException}, and its threads stop (it
   * waits a few seconds for them, and for the devices, unless called from one of them). An HTTP client given to the
   * builder is left open. One this
   * client created is closed on Java 21 and later; on Java 17, which cannot close one, the JDK's selector thread of it
   * ({@code HttpClient-…-SelectorManager}) ends once the garbage collector has collected it (the closed client no longer
   * refers to it). Closing twice does nothing.
   */
  @Override
  public void close() {
    HttpClient closing;
    List<Device> open;
    synchronized (this) {
      if (http == null) {
        return;
      }
      closing = http;
      http = null; // from here on no device is created: every one is in this copy
      open = List.copyOf(devices);
    }
    boolean onOwnThread = Thread.currentThread().getName().startsWith(threadNamePrefix);
    // Before the timers stop: the timers end the close handshakes the server leaves unanswered.
    CompletableFuture<?>[] handshakes = open.stream().map(Device::closeAsync).toArray(CompletableFuture[]::new);
    if (!onOwnThread) {
      awaitHandshakes(handshakes);
    }
    calls.close();
    timers.shutdownNow();
    if (ownExecutor != null) {
      // Not shutdownNow(): what the devices still have to tell their handlers (that they closed) is run first.
      ownExecutor.shutdown();
    }
    if (ownsHttp) {
      close(closing);
    }
    if (!onOwnThread) {
      awaitTermination();
    }
  }

  /** Waits for the close handshakes, which their devices end after the close timeout at the latest. */
  private void awaitHandshakes(CompletableFuture<?>[] handshakes) {
    try {
      CompletableFuture.allOf(handshakes).get(deviceSettings.closeTimeout().plusSeconds(1).toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException notAllAnswered) {
      // Each socket is closed either way; a device's closeAsync() tells how its handshake ended.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void close(HttpClient http) {
    // HttpClient is AutoCloseable from Java 21 on; this library is built for 17.
    if (http instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        // Closing releases resources; a failure to do so has nothing left to report to.
      }
    }
  }

  private void awaitTermination() {
    try {
      timers.awaitTermination(5, TimeUnit.SECONDS);
      if (ownExecutor != null) {
        ownExecutor.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Settings of a client; each has a default. */
  public static final class Builder {

    private final URI server;
    private Supplier<String> token;
    private RetryPolicy retry = RetryPolicy.defaults();
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration responseTimeout = Duration.ofSeconds(30);
    private Backoff reconnect = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(15));
    private Duration replyTimeout = Duration.ofSeconds(30);
    private Duration closeTimeout = Duration.ofSeconds(2);
    private HttpClient http;

    private Builder(URI server) {
      this.server = Objects.requireNonNull(server, "server");
      String scheme = server.getScheme();
      if (!"http".equals(scheme) && !"https".equals(scheme)) {
        throw new IllegalArgumentException("server must be an http or https URI: " + server);
      }
    }

    /**
     * Where the bearer token comes from: asked again for every HTTP request, every retry and every device connection,
     * so a token that rotates is picked up without a new client. Null (the default), or a null token, sends none (a
     * server with auth off).
     */
    public Builder token(Supplier<String> token) {
      this.token = token;
      return this;
    }

    /** When requester calls are retried ({@link RetryPolicy#defaults()} unless set; {@link RetryPolicy#none()}). */
    public Builder retry(RetryPolicy retry) {
      this.retry = Objects.requireNonNull(retry, "retry");
      return this;
    }

    /**
     * How long opening a connection may take (10 s): a device's WebSocket, and then again for the server's {@code
     * welcome} on it (a connection that took the upgrade but stays silent is dropped and opened again); an HTTP
     * request's too unless the HTTP client is given.
     */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = positive("connectTimeout", connectTimeout);
      return this;
    }

    /**
     * How long a response may take beyond the time the server was asked to hold it ({@code waitMs}); 30 s. A response
     * later than that fails the attempt with an {@code HttpTimeoutException}, which is not retried.
     */
    public Builder responseTimeout(Duration responseTimeout) {
      this.responseTimeout = positive("responseTimeout", responseTimeout);
      return this;
    }

    /**
     * The delays between a device's attempts to reconnect, counted from its last successful connection: 500 ms doubling
     * up to 15 s, with full jitter.
     */
    public Builder reconnect(Backoff reconnect) {
      this.reconnect = Objects.requireNonNull(reconnect, "reconnect");
      return this;
    }

    /** How long a device's answer, rejection or extension waits for the server's reply (30 s). */
    public Builder replyTimeout(Duration replyTimeout) {
      this.replyTimeout = positive("replyTimeout", replyTimeout);
      return this;
    }

    /**
     * How long a device's close waits for the server's close frame (2 s) before it closes the socket all the same (and
     * {@link Device#closeAsync()} fails with a {@code TimeoutException}).
     */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = positive("closeTimeout", closeTimeout);
      return this;
    }

    /**
     * An HTTP client of your own, e.g. to share its connections with other code or to configure TLS. The client then
     * neither closes it nor owns its threads: its futures complete on that HTTP client's executor.
     */
    public Builder httpClient(HttpClient http) {
      this.http = Objects.requireNonNull(http, "http");
      return this;
    }

    public InteractionsClient build() {
      return new InteractionsClient(this);
    }

    private static Duration positive(String name, Duration duration) {
      if (duration == null || duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + duration);
      }
      return duration;
    }
  }
}
