package dev.interactions.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A client of one interaction orchestrator server: its {@link #requester() requester side} over HTTP. It owns the
 * threads and the HTTP client that the calls share; create one per server and {@link #close()} it when done.
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
 * <p>Thread-safe. Futures complete on the client's own threads ({@code interactions-client-*}); work that blocks belongs
 * on an executor of your own ({@code thenApplyAsync(…, executor)}).
 */
public final class InteractionsClient implements AutoCloseable {

  /** Null once closed, so that a closed client does not keep the HTTP client (and its selector thread) reachable. */
  private HttpClient http;
  /** The HTTP client's executor when this client created both; null when the caller gave the HTTP client. */
  private final ExecutorService io;
  private final ScheduledThreadPoolExecutor timers;
  private final RetryingHttp calls;
  private final Requester requester;

  private InteractionsClient(Builder builder) {
    this.timers = new ScheduledThreadPoolExecutor(1, new ClientThreads("timer"));
    // Cancelled timers (a reply's deadline, a heartbeat) leave the queue at once instead of at their due time.
    timers.setRemoveOnCancelPolicy(true);
    if (builder.http != null) {
      this.http = builder.http;
      this.io = null;
    } else {
      this.io = Executors.newCachedThreadPool(new ClientThreads("io"));
      this.http = HttpClient.newBuilder().connectTimeout(builder.connectTimeout).executor(io).build();
    }
    this.calls = new RetryingHttp(http, timers, builder.retry, builder.token);
    this.requester = new Requester(calls, builder.server, builder.responseTimeout);
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
   * Closes the client: calls still in flight fail with a {@code CancellationException}, and its threads stop (it waits
   * a few seconds for them, unless called from one of them). An HTTP client given to the builder is left open. One this
   * client created is closed on Java 21 and later; on Java 17, which cannot close one, the JDK's selector thread of it
   * ({@code HttpClient-…-SelectorManager}) ends once the garbage collector has collected it (the closed client no longer
   * refers to it). Closing twice does nothing.
   */
  @Override
  public void close() {
    HttpClient closing;
    synchronized (this) {
      if (http == null) {
        return;
      }
      closing = http;
      http = null;
    }
    calls.close();
    timers.shutdownNow();
    if (io != null) {
      io.shutdownNow();
      close(closing);
    }
    if (!Thread.currentThread().getName().startsWith(ClientThreads.PREFIX)) {
      awaitTermination();
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
      if (io != null) {
        io.awaitTermination(5, TimeUnit.SECONDS);
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
    private HttpClient http;

    private Builder(URI server) {
      this.server = Objects.requireNonNull(server, "server");
      String scheme = server.getScheme();
      if (!"http".equals(scheme) && !"https".equals(scheme)) {
        throw new IllegalArgumentException("server must be an http or https URI: " + server);
      }
    }

    /**
     * Where the bearer token comes from: asked again for every HTTP request and every retry, so a token that rotates is
     * picked up without a new client. Null (the default), or a null token, sends none (a server with auth off).
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

    /** How long opening a connection may take (10 s); ignored when the HTTP client is given. */
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
