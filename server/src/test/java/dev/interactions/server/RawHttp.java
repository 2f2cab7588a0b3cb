package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interactions.protocol.WireCodec;
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
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * HTTP/1.1 over a bare socket, for what no well-behaved client does: requests the JDK clients would not send
 * (malformed heads, lying lengths, huge chunks, trickled bytes), whose bytes reach the server exactly as written; and
 * peers the JDK clients cannot play, held open as an instance: a WebSocket or an event stream that never reads, or that
 * goes silent without a close frame or a FIN. Such a peer sends its request, reads the response head, and never reads
 * past it unless told to.
 */
final class RawHttp implements AutoCloseable {

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final String PING = "{\"type\":\"ping\"}";
  private static final int READ_TIMEOUT_MILLIS = 30_000;

  /** A response as read off the socket. */
  record Response(int status, Map<String, String> headers, String body) {
    JsonNode json() {
      try {
        return WireCodec.mapper().readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private ScheduledExecutorService pinger;
  private volatile long lastWriteNanos;

  private RawHttp(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
  }

  // --- one request, one response ------------------------------------------------------------------------------------

  /** Sends {@code request} on a new connection and reads one response. */
  static Response exchange(int port, String request) {
    return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Sends {@code request} on a new connection and reads one response. */
  static Response exchange(int port, byte[] request) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(READ_TIMEOUT_MILLIS);
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      return read(socket.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends a {@code HEAD} request on a new connection and reads the response's head, then whatever body follows. */
  static Response exchangeHead(int port, String request) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(READ_TIMEOUT_MILLIS);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      Response head = parse(readHead(socket.getInputStream()), new byte[0]);
      // The request asked for Connection: close, so anything after the head up to the end of stream would be a body.
      byte[] rest = socket.getInputStream().readAllBytes();
      return new Response(head.status(), head.headers(), new String(rest, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads one response (head and a {@code Content-Length} body) from {@code in}. */
  static Response read(InputStream in) throws IOException {
    String head = readHead(in);
    Response parsed = parse(head, new byte[0]);
    int length = Integer.parseInt(parsed.headers().getOrDefault("content-length", "0"));
    return parse(head, in.readNBytes(length));
  }

  /** Whether the server has closed {@code socket}: a read sees end of stream or a reset within {@code millis}. */
  static boolean closedByServer(Socket socket, int millis) throws IOException {
    socket.setSoTimeout(millis);
    try {
      while (true) {
        if (socket.getInputStream().read() < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  private static Response parse(String head, byte[] body) {
    String[] lines = head.split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new TreeMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
    }
    return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
  }

  /** Reads the response head byte by byte, so that nothing past it is consumed. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < end.length) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after " + head.size() + " bytes of response head: " + head);
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1).trim();
  }

  // --- a stream held open ---------------------------------------------------------------------------------------------

  /**
   * Opens a WebSocket to session {@code sessionId} on the server at {@code port}; {@code receiveBufferBytes} above zero
   * caps the socket's receive buffer (set before connecting, so the advertised window stays small).
   */
  static RawHttp webSocket(int port, String sessionId, int receiveBufferBytes) throws Exception {
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    String key = Base64.getEncoder().encodeToString(nonce);
    byte[] digest = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
    String accept = Base64.getEncoder().encodeToString(digest);
    return open(
        port,
        receiveBufferBytes,
        "GET /v1/sessions/" + sessionId + "/ws HTTP/1.1\r\n"
            + "Host: 127.0.0.1:" + port + "\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Key: " + key + "\r\n"
            + "Sec-WebSocket-Version: 13\r\n"
            + "\r\n",
        101,
        accept);
  }

  /** Opens the event stream of session {@code sessionId}, as {@link #webSocket} does a WebSocket. */
  static RawHttp eventStream(int port, String sessionId, int receiveBufferBytes) throws Exception {
    return open(
        port,
        receiveBufferBytes,
        "GET /v1/sessions/" + sessionId + "/events HTTP/1.1\r\n"
            + "Host: 127.0.0.1:" + port + "\r\n"
            + "Accept: text/event-stream\r\n"
            + "\r\n",
        200,
        null);
  }

  /** Sends {@code request} and reads the response head; {@code webSocketAccept}, if not null, is the accept expected. */
  private static RawHttp open(
      int port, int receiveBufferBytes, String request, int expectedStatus, String webSocketAccept) throws Exception {
    Socket socket = new Socket();
    if (receiveBufferBytes > 0) {
      socket.setReceiveBufferSize(receiveBufferBytes);
    }
    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    socket.setSoTimeout(READ_TIMEOUT_MILLIS);
    RawHttp peer = new RawHttp(socket);
    try {
      peer.out.write(request.getBytes(StandardCharsets.US_ASCII));
      peer.out.flush();
      peer.lastWriteNanos = System.nanoTime();
      Response head = parse(readHead(socket.getInputStream()), new byte[0]);
      if (head.status() != expectedStatus) {
        throw new AssertionError("expected " + expectedStatus + ": " + head);
      }
      if (webSocketAccept != null && !webSocketAccept.equals(head.header("Sec-WebSocket-Accept"))) {
        throw new AssertionError("wrong Sec-WebSocket-Accept: " + head);
      }
      return peer;
    } catch (Exception | AssertionError e) {
      socket.close();
      throw e;
    }
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
