package dev.interactions.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interactions.protocol.WireCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** An open Server-Sent Events stream of a test server, read line by line on a background thread into a queue. */
final class SseClient implements AutoCloseable {

  private static final long DEADLINE_SECONDS = 20;

  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

  /** One dispatched Server-Sent Event: its name ({@code message} when it has none) and its data. */
  record Event(String name, String data) {
    JsonNode json() {
      try {
        return WireCodec.mapper().readTree(data);
      } catch (IOException e) {
        throw new AssertionError("event data is not JSON: " + data, e);
      }
    }
  }

  private static final String END = "\u0000end of stream";

  private final HttpResponse<InputStream> response;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private SseClient(HttpResponse<InputStream> response) {
    this.response = response;
    Thread reader = new Thread(this::read, "sse-reader");
    reader.setDaemon(true);
    reader.start();
  }

  static SseClient open(TestServer target, String sessionId) {
    return open(target, sessionId, null);
  }

  /** The stream of a client holding {@code token} (in the URL, as browsers send it), or none if null. */
  static SseClient open(TestServer target, String sessionId, String token) {
    HttpRequest request =
        HttpRequest.newBuilder(
                target.http("/v1/sessions/" + sessionId + "/events" + (token == null ? "" : "?access_token=" + token)))
            .header("Accept", "text/event-stream")
            .GET()
            .build();
    try {
      return new SseClient(
          HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
              .orTimeout(DEADLINE_SECONDS, TimeUnit.SECONDS)
              .join());
    } catch (RuntimeException e) {
      throw new AssertionError("the event stream did not open", e);
    }
  }

  int status() {
    return response.statusCode();
  }

  Optional<String> contentType() {
    return response.headers().firstValue("Content-Type");
  }

  /** The next dispatched event; comments and events without data (which SSE does not dispatch) are skipped. */
  Event nextEvent() {
    List<String> seen = new ArrayList<>();
    String name = null;
    StringBuilder data = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
    while (true) {
      String line = nextLine(deadline, seen, "event");
      if (line.isEmpty()) {
        if (data != null && data.length() > 0) {
          return new Event(name == null ? "message" : name, data.toString());
        }
        name = null;
        data = null;
      } else if (!line.startsWith(":")) {
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        value = value.startsWith(" ") ? value.substring(1) : value;
        if (field.equals("event")) {
          name = value;
        } else if (field.equals("data")) {
          data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
        }
      }
    }
  }

  /** The next dispatched event, which must be named {@code name}. */
  Event nextEvent(String name) {
    Event next = nextEvent();
    if (!next.name().equals(name)) {
      throw new AssertionError("expected a " + name + " event, got " + next);
    }
    return next;
  }

  /** The next comment line (one starting with {@code :}). */
  String nextComment() {
    List<String> seen = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
    while (true) {
      String line = nextLine(deadline, seen, "comment line");
      if (line.startsWith(":")) {
        return line;
      }
    }
  }

  private String nextLine(long deadline, List<String> seen, String wanted) {
    try {
      String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null || line.equals(END)) {
        lines.offer(END);
        throw new AssertionError(
            "no "
                + wanted
                + (line == null ? " within " + DEADLINE_SECONDS + " s" : " before the stream ended")
                + "; the last lines were "
                + seen.subList(Math.max(0, seen.size() - 12), seen.size()));
      }
      seen.add(line);
      return line;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private void read() {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        lines.add(line);
      }
    } catch (IOException | UncheckedIOException e) {
      // Closed by close(), or the server ended the stream.
    } finally {
      lines.add(END);
    }
  }

  /** Goes away: the response body is closed, which cancels the exchange and drops the connection. Idempotent. */
  @Override
  public void close() {
    try {
      response.body().close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
