package dev.interactions.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server on a loopback socket (the JDK's) that answers as its script says and records every request: for
 * what the orchestrator cannot easily be made to do on cue, such as a 503 followed by a success.
 */
final class ScriptedServer implements AutoCloseable {

  /** A request as it arrived: its method, path and query, {@code Authorization} header, body, and when it came. */
  record Received(String method, String target, String authorization, String body, long nanoTime) {}

  /** An answer given after holding the request for {@code hold}; one that {@code hang}s is never given. */
  private record Answer(int status, String body, String[] headers, Duration hold, boolean hang) {}

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final BlockingQueue<Answer> script = new LinkedBlockingQueue<>();
  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final CountDownLatch closing = new CountDownLatch(1);
  private volatile Answer last =
      new Answer(500, "{\"error\":{\"code\":\"internal_error\",\"message\":\"no script\"}}", new String[0], Duration.ZERO, false);

  private ScriptedServer(HttpServer server) {
    this.server = server;
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  /** A server on a free port. */
  static ScriptedServer start() {
    return start(0);
  }

  /** A server on {@code port}. */
  static ScriptedServer start(int port) {
    try {
      return new ScriptedServer(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /**
   * Answers the next request not answered yet with {@code status}, {@code body} (JSON) and {@code headers} (name,
   * value, …). Once the script runs out, its last answer is given again.
   */
  ScriptedServer answer(int status, String body, String... headers) {
    return answerAfter(Duration.ZERO, status, body, headers);
  }

  /** Holds the next request not answered yet for {@code hold}, as a long poll is held, then answers as {@link #answer} does. */
  ScriptedServer answerAfter(Duration hold, int status, String body, String... headers) {
    script.add(new Answer(status, body, headers, hold, false));
    return this;
  }

  /** Never answers the next request (until the server closes). */
  ScriptedServer hang() {
    script.add(new Answer(0, null, null, Duration.ZERO, true));
    return this;
  }

  /** The next request that arrived, waiting up to 20 s for it. */
  Received next() throws InterruptedException {
    Received next = received.poll(20, TimeUnit.SECONDS);
    if (next == null) {
      throw new AssertionError("no request within 20 s");
    }
    return next;
  }

  /**
   * Whether no request arrives within {@code quiet}: for what must not be sent, which a test can only wait so long for.
   */
  boolean staysQuietFor(Duration quiet) throws InterruptedException {
    return received.poll(quiet.toNanos(), TimeUnit.NANOSECONDS) == null;
  }

  /** How many requests arrived and were not taken with {@link #next()} yet. */
  int waiting() {
    return received.size();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Answer answer = script.poll();
    if (answer == null) {
      answer = last;
    } else if (!answer.hang()) {
      last = answer;
    }
    received.add(
        new Received(
            exchange.getRequestMethod(),
            exchange.getRequestURI().toString(),
            exchange.getRequestHeaders().getFirst("Authorization"),
            body,
            System.nanoTime()));
    if (closedWhileHolding(answer)) {
      exchange.close(); // no response: the client sees the connection end
      return;
    }
    for (int i = 0; i + 1 < answer.headers().length; i += 2) {
      exchange.getResponseHeaders().add(answer.headers()[i], answer.headers()[i + 1]);
    }
    byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  /** Holds the request as {@code answer} says; true when the server closed meanwhile (always, for one that hangs). */
  private boolean closedWhileHolding(Answer answer) {
    try {
      if (answer.hang()) {
        closing.await();
        return true;
      }
      return closing.await(answer.hold().toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    threads.shutdownNow();
  }
}
