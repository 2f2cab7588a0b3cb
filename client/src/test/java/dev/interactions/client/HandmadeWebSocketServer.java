package dev.interactions.client;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A WebSocket server written by hand on a plain loopback socket: the RFC 6455 upgrade, then frames byte by byte. It
 * shows what a client put on the wire (a close frame, or none) and answers, or does not, as a test needs, which no real
 * server lets a test see or choose. Connections are accepted on the test's thread, one call at a time.
 */
final class HandmadeWebSocketServer implements AutoCloseable {

  /** A frame a client sent: its opcode ({@link #CLOSE}, …) and its unmasked payload. */
  record Frame(int opcode, byte[] payload) {

    static final int TEXT = 0x1;
    static final int CLOSE = 0x8;

    /** The payload of a text frame. */
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** The status code of a close frame. */
    int closeCode() {
      return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
    }
  }

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final Pattern KEY = Pattern.compile("(?im)^Sec-WebSocket-Key:\\s*(\\S+)\\s*$");
  /** Long enough that no device pings during a test. */
  private static final long HEARTBEAT_MS = 600_000;

  private final ServerSocket server;

  private HandmadeWebSocketServer(ServerSocket server) {
    this.server = server;
  }

  static HandmadeWebSocketServer start() throws IOException {
    ServerSocket server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
    server.setSoTimeout(20_000);
    return new HandmadeWebSocketServer(server);
  }

  /** Its address as a client's server URI ({@code http://…}; devices connect to {@code ws://…/v1/sessions/…/ws}). */
  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /** Accepts the next connection and completes its upgrade (20 s at most). */
  Connection accept() throws IOException {
    Socket socket = server.accept();
    socket.setSoTimeout(20_000);
    Matcher key = KEY.matcher(requestHead(socket.getInputStream()));
    if (!key.find()) {
      throw new AssertionError("no Sec-WebSocket-Key in the upgrade request");
    }
    socket
        .getOutputStream()
        .write(
            ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept(key.group(1)) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    return new Connection(socket);
  }

  /** Accepts the next connection and refuses its upgrade with {@code status}. */
  void refuse(int status) throws IOException {
    try (Socket socket = server.accept()) {
      requestHead(socket.getInputStream());
      socket
          .getOutputStream()
          .write(("HTTP/1.1 " + status + " Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  /** One upgraded connection. */
  static final class Connection implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private Connection(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new DataInputStream(socket.getInputStream());
      this.out = socket.getOutputStream();
    }

    /** Sends {@code welcome} and {@code synced} with nothing pending: the device is connected and synced. */
    Connection welcome() throws IOException {
      sendText(
          "{\"type\":\"welcome\",\"protocol\":1,\"sessionId\":\"s\",\"connectionId\":\"websocket-test\",\"heartbeatMs\":"
              + HEARTBEAT_MS + "}");
      sendText("{\"type\":\"synced\",\"pending\":0}");
      return this;
    }

    /** Sends pending interaction {@code id}, live (after the replay); {@code readOnly}: the device may not answer it. */
    void sendInteraction(String id, boolean readOnly) throws IOException {
      sendText(
          "{\"type\":\"interaction\",\"id\":\"" + id + "\",\"kind\":\"confirm\",\"payload\":null,"
              + "\"requestedAt\":\"2026-11-24T10:00:00Z\",\"expiresAt\":\"2026-11-24T10:05:00Z\""
              + (readOnly ? ",\"readOnly\":true}" : "}"));
    }

    void sendText(String text) throws IOException {
      send(Frame.TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends a close frame with {@code code}: the server's side of a close handshake, or a close of its own. */
    void sendClose(int code) throws IOException {
      send(Frame.CLOSE, new byte[] {(byte) (code >> 8), (byte) code});
    }

    /**
     * The next message the client sent, as one frame (a fragmented message's frames joined); null when the client ended
     * the TCP stream instead.
     */
    Frame next() throws IOException {
      int first = in.read();
      if (first < 0) {
        return null;
      }
      Frame frame = new Frame(first & 0x0f, payload());
      while ((first & 0x80) == 0) { // not FIN: continuation frames follow
        first = in.readUnsignedByte();
        byte[] more = payload();
        byte[] joined = Arrays.copyOf(frame.payload(), frame.payload().length + more.length);
        System.arraycopy(more, 0, joined, frame.payload().length, more.length);
        frame = new Frame(frame.opcode(), joined);
      }
      return frame;
    }

    /** The rest of a frame whose first byte was read: its payload, unmasked. */
    private byte[] payload() throws IOException {
      int second = in.readUnsignedByte();
      long length = second & 0x7f;
      if (length == 126) {
        length = in.readUnsignedShort();
      } else if (length == 127) {
        length = in.readLong();
      }
      byte[] mask = new byte[4];
      if ((second & 0x80) != 0) {
        in.readFully(mask);
      }
      byte[] payload = new byte[Math.toIntExact(length)];
      in.readFully(payload);
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= mask[i % 4];
      }
      return payload;
    }

    /** Whether the client ended the TCP stream without sending anything more. */
    boolean ended() throws IOException {
      try {
        return in.read() < 0;
      } catch (SocketException reset) {
        return true; // a reset ends it too, and nothing came before it
      }
    }

    private void send(int opcode, byte[] payload) throws IOException {
      ByteBuffer frame = ByteBuffer.allocate(payload.length + 4);
      frame.put((byte) (0x80 | opcode)); // FIN: one frame per message
      if (payload.length < 126) {
        frame.put((byte) payload.length);
      } else {
        frame.put((byte) 126).putShort((short) payload.length);
      }
      frame.put(payload);
      out.write(frame.array(), 0, frame.position());
      out.flush();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private static String requestHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int next = in.read();
      if (next < 0) {
        throw new AssertionError("the client closed during the handshake");
      }
      head.write(next);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  private static String accept(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-1", e);
    }
  }
}
