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

  /** How a request ends: with a response, with its connection closed and no response, or not until the server closes. */
  private enum Ending {
    RESPONSE,
    DROPPED,
    NEVER
  }

  /** What to do with a request: hold it for {@code hold}, then end it; the response's parts, if it gets one. */
  private record Answer(Ending ending, Duration hold, int status, String body, String[] headers) {}

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final BlockingQueue<Answer> script = new LinkedBlockingQueue<>();
  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final CountDownLatch closing = new CountDownLatch(1);
  private volatile Answer last =
      new Answer(
          Ending.RESPONSE, Duration.ZERO, 500, "{\"error\":{\"code\":\"internal_error\",\"message\":\"no script\"}}", new String[0]);

  private ScriptedServer(HttpServer server) {
    this.server = server;
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  /** A server on a free port. */
  static ScriptedServer start() {
    try {
      return new ScriptedServer(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
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

  /** Holds the next request not answered yet for {@code hold}, as a long poll is held, then answers as {@code answer}. */
  ScriptedServer answerAfter(Duration hold, int status, String body, String... headers) {
    script.add(new Answer(Ending.RESPONSE, hold, status, body, headers));
    return this;
  }

  /** Closes the connection of the next request without a response, as a server going down does. */
  ScriptedServer drop() {
    script.add(new Answer(Ending.DROPPED, Duration.ZERO, 0, null, null));
    return this;
  }

  /** Never answers the next request (until the server closes). */
  ScriptedServer hang() {
    script.add(new Answer(Ending.NEVER, Duration.ZERO, 0, null, null));
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
    } else if (answer.ending() == Ending.RESPONSE) {
      last = answer;
    }
    received.add(
        new Received(
            exchange.getRequestMethod(),
            exchange.getRequestURI().toString(),
            exchange.getRequestHeaders().getFirst("Authorization"),
            body,
            System.nanoTime()));
    if (closedWhileHolding(answer) || answer.ending() == Ending.DROPPED) {
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
      if (answer.ending() == Ending.NEVER) {
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
