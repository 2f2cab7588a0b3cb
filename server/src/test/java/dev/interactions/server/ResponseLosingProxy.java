package dev.interactions.server;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP proxy in front of a server that loses the response on the first connection it forwards: the server did the
 * work, and the client is left with a connection closed before any response byte, the very failure idempotency keys
 * are for. Every later connection is forwarded faithfully, both ways.
 */
final class ResponseLosingProxy implements AutoCloseable {

  private final ServerSocket listener;
  private final int target;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final AtomicBoolean lost = new AtomicBoolean();
  /** Every connection either way, to close on {@link #close()}; guarded by itself. */
  private final List<Socket> sockets = new ArrayList<>();

  private ResponseLosingProxy(int target) throws IOException {
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.target = target;
    threads.execute(this::accept);
  }

  /** A proxy to the server on loopback port {@code target}. */
  static ResponseLosingProxy to(int target) {
    try {
      return new ResponseLosingProxy(target);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Whether a response was lost so far. */
  boolean lostAResponse() {
    return lost.get();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
        synchronized (sockets) {
          sockets.add(client);
          sockets.add(server);
        }
        boolean lose = lost.compareAndSet(false, true);
        threads.execute(() -> pump(client, server));
        threads.execute(() -> {
          if (lose) {
            loseResponse(server, client);
          } else {
            pump(server, client);
          }
        });
      } catch (IOException closed) {
        return; // the proxy closed
      }
    }
  }

  /** Waits until the server began answering (so it has done the work), then drops both connections. */
  private static void loseResponse(Socket server, Socket client) {
    try (server;
        client) {
      server.getInputStream().read();
    } catch (IOException e) {
      // dropped either way
    }
  }

  private static void pump(Socket from, Socket to) {
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      in.transferTo(out);
      to.shutdownOutput();
    } catch (IOException e) {
      close(from);
      close(to);
    }
  }

  @Override
  public void close() {
    close(listener);
    synchronized (sockets) {
      sockets.forEach(ResponseLosingProxy::close);
    }
    threads.shutdownNow();
  }

  private static void close(Closeable socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closing is all that was asked
    }
  }
}
