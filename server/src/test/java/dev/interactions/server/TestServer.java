package dev.interactions.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import dev.interactions.api.Orchestrator;
import dev.interactions.core.Census;
import dev.interactions.protocol.WireCodec;
import dev.interactions.transport.auth.TestTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A real server on an ephemeral loopback port, and a real HTTP client for it. */
public final class TestServer implements AutoCloseable {

  /** A response: its status and its JSON body. */
  public record Reply(int status, JsonNode body) {}

  private final Orchestrator orchestrator;
  private final Server server;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private TestServer(Orchestrator orchestrator, Server server) {
    this.orchestrator = orchestrator;
    this.server = server;
  }

  /** Starts a server with {@code overrides} (HOCON) over the defaults, on a free port. */
  public static TestServer start(String overrides) {
    // Sessions in memory unless a test asks for the durable store (and then for a database of its own).
    Config config =
        ConfigFactory.load(
            ConfigFactory.parseString(overrides)
                .withFallback(
                    ConfigFactory.parseString(
                        "orchestrator.http.port = 0\norchestrator.cluster.port = 0\norchestrator.persistence.store = memory")));
    Orchestrator orchestrator = Orchestrator.start(config);
    try {
      TestServer server =
          new TestServer(orchestrator, Server.start(orchestrator, config).toCompletableFuture().get(30, TimeUnit.SECONDS));
      server.awaitReady();
      return server;
    } catch (Exception e) {
      orchestrator.close();
      throw new IllegalStateException("server did not start", e);
    }
  }

  /** Tests start once the node is ready: Up in its one-node cluster, with its shard region registered. */
  private void awaitReady() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (get("/health/ready").status() != 200) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("server not ready within 60 s: " + get("/health/ready").body());
      }
      Thread.sleep(50); // readiness gives no signal to wait on; polling it is what a load balancer does too
    }
  }

  /** A server with auth in mode {@code jwt}, verifying tokens signed with {@link TestTokens#SECRET}. */
  public static TestServer startWithJwt() {
    return startWithJwt("");
  }

  /** A server with auth in mode {@code jwt} as {@link #startWithJwt()}, and {@code overrides} (HOCON). */
  public static TestServer startWithJwt(String overrides) {
    Config auth = TestTokens.config(TestTokens.SECRET).getConfig("orchestrator.auth");
    return start("orchestrator.auth = " + auth.root().render(ConfigRenderOptions.concise()) + "\n" + overrides);
  }

  /** The {@code Authorization} header of a request carrying {@code token}. */
  public static String[] bearer(String token) {
    return new String[] {"Authorization", "Bearer " + token};
  }

  public int port() {
    return server.address().getPort();
  }

  /** The server's base URL, {@code http://127.0.0.1:<port>}, as a client is configured with it. */
  public String url() {
    return "http://127.0.0.1:" + port();
  }

  public URI http(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  public URI ws(String path) {
    return URI.create("ws://127.0.0.1:" + port() + path);
  }

  public Census census() {
    return Census.get(orchestrator.system());
  }

  public Orchestrator orchestrator() {
    return orchestrator;
  }

  /** A GET whose body is not JSON (the Prometheus scrape): its body as text; fails on a status other than 200. */
  public String getText(String path, String... headers) {
    try {
      HttpResponse<String> response = http.send(request(path, headers).GET().build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new AssertionError("GET " + path + ": " + response.statusCode() + " " + response.body());
      }
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits (20 s at most) until session {@code sessionId} lists {@code count} connections, so pushes reach all of them. */
  public void awaitConnections(String sessionId, int count, String... headers) {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (get("/v1/sessions/" + sessionId, headers).body().path("connections").size() != count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("session " + sessionId + " never had " + count + " connections");
      }
      java.util.concurrent.locks.LockSupport.parkNanos(10_000_000); // paced: the server needs the CPU more
    }
  }

  public Reply get(String path, String... headers) {
    return send(request(path, headers).GET().build());
  }

  public Reply post(String path, String json, String... headers) {
    return send(
        request(path, headers).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  public Reply delete(String path, String... headers) {
    return send(request(path, headers).DELETE().build());
  }

  private HttpRequest.Builder request(String path, String... headers) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(http(path)).timeout(Duration.ofSeconds(90));
    if (headers.length > 0) {
      builder.headers(headers);
    }
    return builder;
  }

  private Reply send(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      String body = response.body();
      return new Reply(response.statusCode(), body.isEmpty() ? null : WireCodec.mapper().readTree(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    orchestrator.close();
  }
}
