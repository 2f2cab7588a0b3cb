package dev.interactions.server;

import dev.interactions.protocol.WireCodec;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The server as a child JVM process, started as {@code java -cp … Main}, so tests can SIGTERM or SIGKILL it. */
final class ServerProcess implements AutoCloseable {

  private final Process process;
  final int port;
  /** The cluster (remoting) port, if the test chose one; 0 otherwise. */
  final int clusterPort;

  private ServerProcess(Process process, int port, int clusterPort) {
    this.process = process;
    this.port = port;
    this.clusterPort = clusterPort;
  }

  /** Starts the server on a free port with {@code settings} as {@code -D} options, and waits until it is ready. */
  static ServerProcess start(Path log, String... settings) throws IOException, InterruptedException {
    return start(freePort(), log, settings);
  }

  /**
   * Starts the server in working directory {@code directory} (where the default store keeps its H2 file, {@code
   * ./data}) on a free port, and waits until it is ready.
   */
  static ServerProcess startIn(Path directory, Path log, String... settings) throws IOException, InterruptedException {
    return start(freePort(), 0, directory, log, settings);
  }

  /** Starts the server on {@code port} with {@code settings} as {@code -D} options, and waits until it is ready. */
  static ServerProcess start(int port, Path log, String... settings) throws IOException, InterruptedException {
    return start(port, 0, log, settings);
  }

  /**
   * Starts a cluster node: HTTP on a free port, the cluster on {@code clusterPort} (a fixed port, so that other nodes
   * can name it as a seed), joining {@code seedNodes} ({@code host:port,…}; this node's own address alone forms a new
   * cluster); waits until it is ready, that is Up with its shard region registered.
   */
  static ServerProcess startNode(int clusterPort, String seedNodes, Path log, String... settings)
      throws IOException, InterruptedException {
    String[] all = new String[settings.length + 2];
    all[0] = "orchestrator.cluster.port=" + clusterPort;
    all[1] = "orchestrator.cluster.seed-nodes=" + seedNodes;
    System.arraycopy(settings, 0, all, 2, settings.length);
    return start(freePort(), clusterPort, log, all);
  }

  private static ServerProcess start(int port, int clusterPort, Path log, String... settings)
      throws IOException, InterruptedException {
    return start(port, clusterPort, null, log, settings);
  }

  private static ServerProcess start(int port, int clusterPort, Path directory, Path log, String... settings)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("-Dorchestrator.http.port=" + port);
    // A free cluster port of its own unless the test names one (several nodes of one cluster).
    command.add("-Dorchestrator.cluster.port=0");
    for (String setting : settings) {
      command.add("-D" + setting);
    }
    command.add(Main.class.getName());
    Process process =
        new ProcessBuilder(command)
            .directory(directory == null ? null : directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    ServerProcess server = new ServerProcess(process, port, clusterPort);
    server.awaitReady();
    return server;
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  URI ws(String path) {
    return URI.create("ws://127.0.0.1:" + port + path);
  }

  /** {@code host:port} of this node in the cluster, as {@code GET /v1/sessions/{id}} reports the hosting node. */
  String clusterAddress() {
    return "127.0.0.1:" + clusterPort;
  }

  /** Creates an interaction of {@code sessionId} over HTTP and returns its id. */
  String createInteraction(String sessionId, long timeoutMs) throws IOException, InterruptedException {
    HttpResponse<String> reply =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(uri("/v1/sessions/" + sessionId + "/interactions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"kind\":\"approve\",\"timeoutMs\":" + timeoutMs + "}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return WireCodec.mapper().readTree(reply.body()).path("id").asText();
  }

  /** SIGTERM: a graceful shutdown. */
  void terminate() {
    process.destroy();
  }

  /** SIGKILL: the process ends at once, mid-whatever. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(60, TimeUnit.SECONDS);
  }

  boolean awaitExit(long seconds) throws InterruptedException {
    return process.waitFor(seconds, TimeUnit.SECONDS);
  }

  private void awaitReady() throws InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    URI ready = uri("/health/ready");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline && process.isAlive()) {
      try {
        if (http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notListeningYet) {
        Thread.sleep(100); // polling a port that is not bound yet; there is nothing to wait on but time
      }
    }
    process.destroyForcibly();
    throw new AssertionError("the server never became ready (exit " + (process.isAlive() ? "none" : process.exitValue()) + ")");
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
