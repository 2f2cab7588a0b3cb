package dev.interactions.loadtool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The tool's "drop" relies on the JDK's {@link WebSocket#abort()} closing the TCP connection without a close frame.
 * Checked here on the wire: a hand-written WebSocket server (a plain socket doing the RFC 6455 handshake) reads what
 * the client sends after the handshake.
 */
class AbruptDropTest {

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final Pattern KEY = Pattern.compile("(?im)^Sec-WebSocket-Key:\\s*(\\S+)\\s*$");
  private static final int CLOSE_FRAME_FIRST_BYTE = 0x88; // FIN + opcode 8 (close)

  @Test
  void abortSendsNoCloseFrame() throws Exception {
    assertEquals(-1, firstByteAfterHandshake(WebSocket::abort), "abort() must end the stream without sending a byte");
  }

  @Test
  void aCleanCloseDoesSendOne() throws Exception {
    // The control: the same server does see a close frame when there is one.
    assertEquals(CLOSE_FRAME_FIRST_BYTE, firstByteAfterHandshake(socket -> socket.sendClose(WebSocket.NORMAL_CLOSURE, "")));
  }

  /** Connects the JDK's client to a hand-made server, lets {@code leave} end it, and returns the next byte (or -1). */
  private static int firstByteAfterHandshake(Consumer<WebSocket> leave) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<WebSocket> client =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/ws"), new WebSocket.Listener() {});
      try (Socket accepted = server.accept()) {
        accepted.setSoTimeout(30_000);
        InputStream in = accepted.getInputStream();
        Matcher key = KEY.matcher(requestHead(in));
        if (!key.find()) {
          throw new AssertionError("no Sec-WebSocket-Key in the upgrade request");
        }
        accepted
            .getOutputStream()
            .write(
                ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: " + accept(key.group(1)) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        leave.accept(client.get(30, TimeUnit.SECONDS));
        return in.read();
      }
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

  private static String accept(String key) throws NoSuchAlgorithmException {
    byte[] digest = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
    return Base64.getEncoder().encodeToString(digest);
  }
}
