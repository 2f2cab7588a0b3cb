package dev.interactions.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interactions.client.HandmadeWebSocketServer.Connection;
import dev.interactions.client.HandmadeWebSocketServer.Frame;
import dev.interactions.protocol.ServerMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Devices against a WebSocket server written by hand ({@link HandmadeWebSocketServer}): what goes on the wire when a
 * device closes or aborts, what it is told when a connection ends, and what many devices cost.
 */
class DeviceConnectionTest {

  private static final Backoff QUICK_RECONNECT = new Backoff(Duration.ofMillis(10), Duration.ofMillis(50));

  private final HandmadeWebSocketServer server;

  DeviceConnectionTest() throws IOException {
    server = HandmadeWebSocketServer.start();
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
  }

  @Test
  void abortEndsTheConnectionWithoutACloseFrame() throws Exception {
    try (InteractionsClient client = client(Duration.ofSeconds(2))) {
      Device device = client.device("s");
      Connection connection = connected(device);

      device.abort();

      assertTrue(connection.ended(), "the TCP stream ends with no frame before it");
      assertEquals(Device.State.CLOSED, device.state());
    }
  }

  @Test
  void closeAsyncSendsACloseFrameAndCompletesWhenTheServerAnswersWithItsOwn() throws Exception {
    try (InteractionsClient client = client(Duration.ofSeconds(20))) {
      Device device = client.device("s");
      Connection connection = connected(device);

      CompletableFuture<Void> closing = device.closeAsync();

      Frame frame = connection.next();
      assertEquals(Frame.CLOSE, frame.opcode());
      assertEquals(1000, frame.closeCode());
      assertFalse(closing.isDone(), "the handshake waits for the server's close frame");
      connection.sendClose(1000);
      closing.get(20, TimeUnit.SECONDS);
      assertTrue(connection.ended(), "the socket closed after the handshake");
      assertEquals(Device.State.CLOSED, device.state());
    }
  }

  @Test
  void aCloseTheServerDoesNotAnswerFailsWithATimeoutAndStillClosesTheSocket() throws Exception {
    try (InteractionsClient client = client(Duration.ofMillis(300))) {
      Device device = client.device("s");
      Connection connection = connected(device);

      CompletableFuture<Void> closing = device.closeAsync();

      assertEquals(Frame.CLOSE, connection.next().opcode());
      assertInstanceOf(TimeoutException.class, ExecutionFailure.cause(closing));
      assertTrue(connection.ended(), "the socket was dropped at the timeout");
      assertInstanceOf(TimeoutException.class, ExecutionFailure.cause(device.closeAsync()), "closing again tells the same");
    }
  }

  @Test
  void aCloseByTheServerIsToldWithItsCodeBeforeTheDeviceReconnects() throws Exception {
    try (InteractionsClient client = client(Duration.ofSeconds(2))) {
      Device device = client.device("s");
      LinkedBlockingQueue<Object> heard = new LinkedBlockingQueue<>();
      device.onConnectionLost(heard::add);
      device.onStateChange(heard::add);
      Connection first = connected(device);
      assertEquals(List.of(Device.State.CONNECTING, Device.State.SYNCED), List.of(heard.take(), heard.take()));

      first.sendClose(1011);

      ConnectionClosedException closed = assertInstanceOf(ConnectionClosedException.class, heard.poll(20, TimeUnit.SECONDS));
      assertEquals(1011, closed.statusCode());
      assertEquals(Device.State.RECONNECTING, heard.poll(20, TimeUnit.SECONDS));
      server.accept().welcome(); // it came back by itself
      assertEquals(Device.State.SYNCED, heard.poll(20, TimeUnit.SECONDS));
    }
  }

  @Test
  void shownSendsNothingForAReadOnlyInteraction() throws Exception {
    try (InteractionsClient client = client(Duration.ofSeconds(2))) {
      Device device = client.device("s");
      LinkedBlockingQueue<ServerMessage.Interaction> shown = new LinkedBlockingQueue<>();
      device.onInteraction(shown::add);
      Connection connection = connected(device);
      connection.sendInteraction("read-only", true);
      connection.sendInteraction("answerable", false);
      assertEquals(Boolean.TRUE, shown.poll(20, TimeUnit.SECONDS).readOnly());
      assertNull(shown.poll(20, TimeUnit.SECONDS).readOnly());

      assertFalse(device.shown("read-only"), "the server refuses a report from a device that may not answer it");
      assertTrue(device.shown("answerable"));

      assertEquals("{\"type\":\"shown\",\"id\":\"answerable\"}", connection.next().text(), "the first report on the wire");
    }
  }

  @Test
  void messagesWaitingBehindAStalledConnectionAreBoundedAndNeverSentOnceTheirReplyTimedOut() throws Exception {
    try (InteractionsClient client =
        InteractionsClient.builder(server.uri())
            .replyTimeout(Duration.ofSeconds(3)) // long enough to queue them all before the first times out
            .closeTimeout(Duration.ofMillis(300))
            .build()) {
      Device device = client.device("s");
      LinkedBlockingQueue<ServerMessage.Interaction> shown = new LinkedBlockingQueue<>();
      device.onInteraction(shown::add);
      Connection connection = connected(device);
      connection.sendInteraction("later", false);
      shown.poll(20, TimeUnit.SECONDS);
      // The server reads nothing for now: more than the socket buffers of both ends take (4 MB and 6 MB at most by
      // default on Linux), so this one stalls.
      device.answer("huge", "x".repeat(16 << 20));

      List<CompletableFuture<ServerMessage.Ack>> waiting = new ArrayList<>();
      for (int i = 0; i < DeviceSocket.MAX_WAITING; i++) {
        waiting.add(device.answer("waiting-" + i, true));
      }
      CompletableFuture<ServerMessage.Ack> oneTooMany = device.answer("one-too-many", true);

      assertTrue(oneTooMany.isCompletedExceptionally(), "failed at once, not queued");
      assertInstanceOf(IOException.class, ExecutionFailure.cause(oneTooMany));
      for (CompletableFuture<ServerMessage.Ack> answer : waiting) {
        assertInstanceOf(TimeoutException.class, ExecutionFailure.cause(answer));
      }
      assertTrue(device.shown("later"), "the messages whose replies timed out no longer count against the bound");
      Frame huge = connection.next();
      assertTrue(new String(huge.payload(), 0, 64, StandardCharsets.UTF_8).contains("\"huge\""), "the stalled answer went out");
      assertEquals("{\"type\":\"shown\",\"id\":\"later\"}", connection.next().text(), "and then none of the timed-out ones");
    }
  }

  @Test
  void aConnectionWhoseWelcomeDoesNotComeWithinTheConnectTimeoutIsDroppedAndOpenedAgain() throws Exception {
    try (InteractionsClient client =
        InteractionsClient.builder(server.uri())
            .connectTimeout(Duration.ofSeconds(1)) // the upgrade itself must fit in it too, on a loaded machine
            .reconnect(QUICK_RECONNECT)
            .build()) {
      Device device = client.device("s");
      LinkedBlockingQueue<Throwable> losses = new LinkedBlockingQueue<>();
      device.onConnectionLost(losses::add);
      CompletableFuture<Void> synced = device.connect();
      Connection silent = server.accept(); // the upgrade succeeds, and then nothing comes

      Throwable lost = losses.poll(20, TimeUnit.SECONDS);

      assertInstanceOf(IOException.class, lost, "told why");
      assertTrue(lost.getMessage().startsWith("no welcome from session s"), lost.getMessage());
      assertTrue(silent.ended(), "the silent connection was dropped");
      server.accept().welcome();
      synced.get(20, TimeUnit.SECONDS);
      assertEquals(Device.State.SYNCED, device.state());
    }
  }

  @Test
  void handlersRunOneAtATimeEvenWhileTheNextConnectionDeliversFramesDuringAHandlerOfTheLostOne() throws Exception {
    try (InteractionsClient client = client(Duration.ofSeconds(2))) {
      Device device = client.device("s");
      AtomicInteger running = new AtomicInteger();
      AtomicBoolean overlapped = new AtomicBoolean();
      LinkedBlockingQueue<String> heard = new LinkedBlockingQueue<>();
      CountDownLatch lossHeard = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      device.onConnectionLost(
          lost -> {
            overlapped.compareAndSet(false, running.incrementAndGet() > 1);
            heard.add("lost");
            lossHeard.countDown();
            awaitQuietly(release);
            running.decrementAndGet();
          });
      device.onInteraction(
          interaction -> {
            overlapped.compareAndSet(false, running.incrementAndGet() > 1);
            heard.add(interaction.id());
            running.decrementAndGet();
          });
      connected(device).sendClose(1011);
      assertTrue(lossHeard.await(20, TimeUnit.SECONDS), "the loss was told");

      Connection next = server.accept().welcome(); // the device reconnected while that handler still runs
      next.sendInteraction("a", false);
      next.sendInteraction("b", false);
      awaitPending(device, "b"); // the frames arrived: handlers called as frames arrive would have run for "a" by now

      assertEquals(List.of("lost"), List.copyOf(heard), "nothing else is told while a handler of the device runs");
      release.countDown();
      assertEquals(List.of("lost", "a", "b"), List.of(heard.take(), next(heard), next(heard)), "in the order it happened");
      assertFalse(overlapped.get(), "no two handlers of the device ran at once");
    }
  }

  @Test
  void attemptsThatFailAreToldWithTheirCauseAndARefusedUpgradeWithItsStatus() throws Exception {
    try (Socket boundNotListening = new Socket()) {
      // Holds the port for the whole test (nobody else can bind it) while connections to it are refused.
      boundNotListening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      URI nobodyListens = URI.create("http://127.0.0.1:" + boundNotListening.getLocalPort());
      try (InteractionsClient unreachable = InteractionsClient.builder(nobodyListens).reconnect(QUICK_RECONNECT).build()) {
        LinkedBlockingQueue<Throwable> attempts = new LinkedBlockingQueue<>();
        Device lonely = unreachable.device("s");
        lonely.onConnectionLost(attempts::add);
        lonely.connect();
        assertInstanceOf(ConnectException.class, attempts.poll(20, TimeUnit.SECONDS), "connection refused");
        assertInstanceOf(ConnectException.class, attempts.poll(20, TimeUnit.SECONDS), "and refused again: it keeps trying");
      }
    }
    try (InteractionsClient refusing = client(Duration.ofSeconds(2))) {
      Device forbidden = refusing.device("s");
      LinkedBlockingQueue<Throwable> refusals = new LinkedBlockingQueue<>();
      forbidden.onConnectionLost(refusals::add);
      CompletableFuture<Void> connecting = forbidden.connect();
      server.refuse(403);

      RefusedException refused = assertInstanceOf(RefusedException.class, refusals.poll(20, TimeUnit.SECONDS));
      assertEquals(403, refused.httpStatus().getAsInt());
      assertInstanceOf(RefusedException.class, ExecutionFailure.cause(connecting));
      assertEquals(Device.State.CLOSED, forbidden.state(), "a refusal that retrying cannot fix ends the device");
    }
  }

  @Test
  void closingTheClientClosesItsDevicesTogetherWithinOneCloseTimeout() throws Exception {
    int devices = 10;
    Duration closeTimeout = Duration.ofMillis(500);
    InteractionsClient client = client(closeTimeout);
    List<Connection> connections = new ArrayList<>();
    for (int i = 0; i < devices; i++) {
      connections.add(connected(client.device("s")));
    }

    long started = System.nanoTime();
    client.close(); // the server answers no close frame: every handshake runs into the timeout

    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertTrue(took.compareTo(closeTimeout.multipliedBy(devices / 2)) < 0, "one timeout for all, not one each: " + took);
    for (Connection connection : connections) {
      assertEquals(Frame.CLOSE, connection.next().opcode());
      assertTrue(connection.ended(), "the socket was closed");
    }
  }

  @Test
  void devicesStartNoThreadsOfTheirOwn() throws Exception {
    ExecutorService io = Executors.newFixedThreadPool(2);
    HttpClient http = HttpClient.newBuilder().executor(io).build();
    try (InteractionsClient client = InteractionsClient.builder(server.uri()).httpClient(http).build()) {
      for (int i = 0; i < 50; i++) {
        connected(client.device("s"));
      }

      assertEquals(
          List.of(client.threadNamePrefix() + "timer-1"),
          threadsNamedStartingWith(client.threadNamePrefix()),
          "50 devices share the client's one timer thread, and run their handlers on the HTTP client's executor");
    } finally {
      io.shutdownNow();
    }
  }

  /** Waits (20 s at most) until {@code device} knows interaction {@code id} is pending: its frame was received. */
  private static void awaitPending(Device device, String id) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (device.pending().stream().noneMatch(interaction -> interaction.id().equals(id))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("interaction " + id + " did not arrive within 20 s");
      }
      Thread.sleep(10);
    }
  }

  private static <T> T next(LinkedBlockingQueue<T> heard) throws InterruptedException {
    T next = heard.poll(20, TimeUnit.SECONDS);
    if (next == null) {
      throw new AssertionError("nothing more heard within 20 s");
    }
    return next;
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A client of the hand-made server with {@code closeTimeout}, reconnecting at once. */
  private InteractionsClient client(Duration closeTimeout) {
    return InteractionsClient.builder(server.uri()).closeTimeout(closeTimeout).reconnect(QUICK_RECONNECT).build();
  }

  /** Connects {@code device} to the hand-made server and waits until it is synced. */
  private Connection connected(Device device) throws Exception {
    CompletableFuture<Void> synced = device.connect();
    Connection connection = server.accept().welcome();
    synced.get(20, TimeUnit.SECONDS);
    return connection;
  }

  private static List<String> threadsNamedStartingWith(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith(prefix))
        .collect(Collectors.toList());
  }
}
