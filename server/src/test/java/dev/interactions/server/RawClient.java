package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A client written on a plain socket, for peers the JDK clients cannot play: one that never reads, and one that goes
 * silent without a close frame or a FIN. It sends the request (a WebSocket upgrade, or an event stream's GET), reads
 * the response head, and never reads past it unless told to.
 */
final class RawClient implements AutoCloseable {

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final String PING = "{\"type\":\"ping\"}";

  private final Socket socket;
  private final OutputStream out;
  private ScheduledExecutorService pinger;
  private volatile long lastWriteNanos;

  private RawClient(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
  }

  /**
   * Opens a WebSocket to session {@code sessionId} on the server at {@code port}; {@code receiveBufferBytes} above zero
   * caps the socket's receive buffer (set before connecting, so the advertised window stays small).
   */
  static RawClient webSocket(int port, String sessionId, int receiveBufferBytes) throws Exception {
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    String key = Base64.getEncoder().encodeToString(nonce);
    Opened opened =
        open(
            port,
            receiveBufferBytes,
            "GET /v1/sessions/" + sessionId + "/ws HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "\r\n",
            "HTTP/1.1 101");
    byte[] digest = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
    String accept = Base64.getEncoder().encodeToString(digest);
    if (!opened.head().toLowerCase().contains("sec-websocket-accept: " + accept.toLowerCase())) {
      opened.client().close();
      throw new AssertionError("wrong Sec-WebSocket-Accept: " + opened.head());
    }
    return opened.client();
  }

  /** Opens the event stream of session {@code sessionId}, as {@link #webSocket} does a WebSocket. */
  static RawClient eventStream(int port, String sessionId, int receiveBufferBytes) throws Exception {
    return open(
            port,
            receiveBufferBytes,
            "GET /v1/sessions/" + sessionId + "/events HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "Accept: text/event-stream\r\n"
                + "\r\n",
            "HTTP/1.1 200")
        .client();
  }

  private record Opened(RawClient client, String head) {}

  private static Opened open(int port, int receiveBufferBytes, String request, String expectedStatus) throws Exception {
    Socket socket = new Socket();
    if (receiveBufferBytes > 0) {
      socket.setReceiveBufferSize(receiveBufferBytes);
    }
    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    socket.setSoTimeout(30_000);
    RawClient client = new RawClient(socket);
    try {
      client.out.write(request.getBytes(StandardCharsets.US_ASCII));
      client.out.flush();
      client.lastWriteNanos = System.nanoTime();
      String head = readHead(socket.getInputStream());
      if (!head.startsWith(expectedStatus)) {
        throw new AssertionError("expected " + expectedStatus + ": " + head);
      }
      return new Opened(client, head);
    } catch (Exception | AssertionError e) {
      socket.close();
      throw e;
    }
  }

  /** Reads the response head byte by byte, so that nothing past it is consumed. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < end.length) {
      int b = in.read();
      if (b < 0) {
        throw new AssertionError("closed before the response head ended: " + head.toString(StandardCharsets.US_ASCII));
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  /** Sends a ping every {@code period} until {@link #fallSilent()}. */
  void keepAlive(Duration period) {
    pinger = Executors.newSingleThreadScheduledExecutor();
    pinger.scheduleAtFixedRate(() -> sendText(PING), 0, period.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Stops pinging; once this returns nothing more is written. */
  void fallSilent() throws InterruptedException {
    pinger.shutdownNow();
    assertTrue(pinger.awaitTermination(10, TimeUnit.SECONDS), "the pinger did not stop");
  }

  /** Sends one masked WebSocket text frame (a client must mask, RFC 6455 §5.3). */
  synchronized void sendText(String text) {
    try {
      out.write(maskedTextFrame(text));
      out.flush();
      lastWriteNanos = System.nanoTime();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] maskedTextFrame(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    if (payload.length > 125) {
      throw new IllegalArgumentException("only short frames are needed here");
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    byte[] frame = new byte[2 + 4 + payload.length];
    frame[0] = (byte) 0x81; // FIN, text
    frame[1] = (byte) (0x80 | payload.length); // masked
    System.arraycopy(mask, 0, frame, 2, 4);
    for (int i = 0; i < payload.length; i++) {
      frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
    }
    return frame;
  }

  /**
   * Reads and discards whatever the server sent, until it ends the TCP connection (end of stream or a reset); fails
   * if it is still open after the socket's read timeout.
   */
  void awaitServerHangUp() throws IOException {
    InputStream in = socket.getInputStream();
    byte[] discard = new byte[64 * 1024];
    try {
      while (in.read(discard) >= 0) {
        // the server's backlog of frames, unread until now
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the server kept the TCP connection open", e);
    } catch (SocketException reset) {
      // an abortive close ends the connection too
    }
  }

  /**
   * Waits, without reading anything, until the server has torn the TCP connection down, and returns how long that
   * took; fails after {@code deadline}. Reading would drain the server's backlog and let it close gracefully, so this
   * writes instead: {@code probe} (bytes the server accepts, such as a ping frame) every 50 ms, which fails once the
   * server's reset (or, after a FIN, the reset answering the first write) has arrived.
   */
  Duration awaitTornDownWithoutReading(byte[] probe, Duration deadline) {
    long start = System.nanoTime();
    while (System.nanoTime() - start < deadline.toNanos()) {
      try {
        synchronized (this) {
          out.write(probe);
          out.flush();
        }
      } catch (IOException closedByTheServer) {
        return Duration.ofNanos(System.nanoTime() - start);
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos()); // nothing to wait on but the peer's reset
    }
    throw new AssertionError("the server kept the TCP connection open for " + deadline.toSeconds() + " s");
  }

  /** A WebSocket ping message, as a probe for {@link #awaitTornDownWithoutReading}. */
  static byte[] pingFrame() {
    return maskedTextFrame(PING);
  }

  /** When the last frame was written, by {@link System#nanoTime()}. */
  long lastWriteNanos() {
    return lastWriteNanos;
  }

  @Override
  public void close() throws IOException {
    if (pinger != null) {
      pinger.shutdownNow();
    }
    socket.close();
  }
}
