package dev.interactions.cli;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.interactions.api.Orchestrator;
import dev.interactions.server.Server;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** A real server (the standalone one, started in-process) on an ephemeral loopback port, sessions in memory. */
final class RunningServer implements AutoCloseable {

  /** The HS256 secret of {@link #startWithJwt()}; tests only. */
  private static final String SECRET = "cli-test-only-hs256-secret-0123456789";

  private final Orchestrator orchestrator;
  private final Server server;

  private RunningServer(Orchestrator orchestrator, Server server) {
    this.orchestrator = orchestrator;
    this.server = server;
  }

  /** A server with auth off. */
  static RunningServer start() throws Exception {
    return start("");
  }

  /** A server with auth in mode {@code jwt}, taking HS256 tokens such as {@link #requesterToken}. */
  static RunningServer startWithJwt() throws Exception {
    return start("orchestrator.auth { mode = jwt, jwt.algorithm = HS256, jwt.secret = \"" + SECRET + "\" }");
  }

  private static RunningServer start(String overrides) throws Exception {
    Config config =
        ConfigFactory.load(
            ConfigFactory.parseString(overrides)
                .withFallback(
                    ConfigFactory.parseString(
                        "orchestrator.http.port = 0\n"
                            + "orchestrator.cluster.port = 0\n"
                            + "orchestrator.persistence.store = memory")));
    Orchestrator orchestrator = Orchestrator.start(config);
    try {
      RunningServer running =
          new RunningServer(orchestrator, Server.start(orchestrator, config).toCompletableFuture().get(60, TimeUnit.SECONDS));
      running.awaitReady();
      return running;
    } catch (Exception e) {
      orchestrator.close();
      throw e;
    }
  }

  /** Tests start once the node is ready (Up in its one-node cluster), as a load balancer would wait for it. */
  private void awaitReady() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest ready = HttpRequest.newBuilder(URI.create(url() + "/health/ready")).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("server not ready within 60 s");
      }
      Thread.sleep(50); // readiness gives no signal to wait on
    }
  }

  String url() {
    return "http://127.0.0.1:" + server.address().getPort();
  }

  /** The WebSocket address of session {@code sessionId}. */
  URI webSocket(String sessionId) {
    return URI.create("ws://127.0.0.1:" + server.address().getPort() + "/v1/sessions/" + sessionId + "/ws");
  }

  /** A token (for {@link #startWithJwt()}) that may request interactions of {@code sessionId} and join it. */
  static String requesterToken(String sessionId) {
    Instant now = Instant.now();
    return JWT.create()
        .withSubject("ci-pipeline")
        .withIssuedAt(now)
        .withExpiresAt(now.plus(Duration.ofHours(1)))
        .withArrayClaim("sessions", new String[] {sessionId})
        .withClaim("scope", "interactions:request")
        .sign(Algorithm.HMAC256(SECRET.getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  public void close() {
    orchestrator.close();
  }
}
