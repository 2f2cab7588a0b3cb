package dev.interactions.loadtool;

import dev.interactions.client.ConnectionClosedException;
import dev.interactions.client.Device;
import dev.interactions.client.RefusedException;
import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.RawJson;
import dev.interactions.protocol.ServerMessage;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One device of one session, as a person's phone or laptop: the client library's {@link Device}, which claims the
 * interactions it is shown and acts on each claimed one as its {@link Fate} says (answer, reject, drop its connection,
 * disconnect, or leave it alone), and counts its connections in the {@link Tally}.
 *
 * <p>The library keeps it connected: it pings, and it reconnects after any loss the tool did not ask for (each counted
 * as an error of its kind). It ends when it drops or disconnects by fate, when the run closes it, or when the server
 * refuses it for good; the {@link ClientFleet} then puts a new one in its place.
 */
final class LoadDevice {

  private static final Map<String, Boolean> APPROVED = Map.of("approved", true);

  private final Device device;
  private final Claims claims;
  private final Tally tally;
  /** Completed once the first attempt to connect has opened or failed. */
  private final CompletableFuture<Void> firstAttempt = new CompletableFuture<>();
  /** Completed once the device has ended and its connection is over. */
  private final CompletableFuture<Void> end = new CompletableFuture<>();
  /** Whether its current connection is counted in {@link Tally#clientsConnected()}. */
  private final AtomicBoolean connected = new AtomicBoolean();
  /** Set once the tool ends it (by fate, or at the end of the run). */
  private final AtomicBoolean leaving = new AtomicBoolean();

  /** @param device a device not connected yet, with no handlers */
  LoadDevice(Device device, Claims claims, Tally tally) {
    this.device = device;
    this.claims = claims;
    this.tally = tally;
    device.onStateChange(this::stateChanged);
    device.onConnectionLost(this::lost);
    device.onError(this::refused);
    device.onInteraction(this::shown);
  }

  /** Connects; the stage completes when the first attempt has opened or failed (a device that failed keeps trying). */
  CompletableFuture<Void> connect() {
    device.connect(); // what becomes of it is heard by the handlers
    return firstAttempt;
  }

  /** Completes once the device has ended and its connection is over. */
  CompletableFuture<Void> end() {
    return end;
  }

  /**
   * Closes it cleanly (close frame, then the server's), at the end of the run; a handshake that the server does not
   * finish within {@link ClientFleet#CLOSE_HANDSHAKE_TIMEOUT} is counted, and the socket dropped.
   */
  void close() {
    if (!leaving.compareAndSet(false, true)) {
      return;
    }
    device
        .closeAsync()
        .whenComplete(
            (closed, failure) -> {
              if (unwrapped(failure) instanceof TimeoutException) {
                tally.error("ws close handshake timed out");
              }
              end.complete(null);
            });
  }

  /** Drops the connection at once without a close frame: fate {@code drop}. */
  private void abort() {
    if (leaving.compareAndSet(false, true)) {
      device.abort();
      end.complete(null);
    }
  }

  private void stateChanged(Device.State state) {
    switch (state) {
      case SYNCED -> {
        if (connected.compareAndSet(false, true)) {
          tally.clientConnected();
        }
        firstAttempt.complete(null);
      }
      case RECONNECTING -> {
        disconnected();
        firstAttempt.complete(null);
      }
      case CLOSED -> {
        disconnected();
        firstAttempt.complete(null);
        if (!leaving.get()) {
          end.complete(null); // the server refused it for good; its socket is gone already
        }
      }
      case IDLE, CONNECTING -> {
        // Not connected yet: nothing to count.
      }
    }
  }

  private void disconnected() {
    if (connected.compareAndSet(true, false)) {
      tally.clientGone();
    }
  }

  /** A connection, or an attempt, that ended without the tool asking: told before the state changes. */
  private void lost(Throwable cause) {
    if (cause instanceof ConnectionClosedException closed) {
      tally.error("ws closed by the server: " + closed.statusCode());
    } else if (cause instanceof RefusedException refused && refused.httpStatus().isPresent()) {
      tally.error("ws connect: HTTP " + refused.httpStatus().getAsInt());
    } else {
      tally.error((connected.get() ? "ws failed: " : "ws connect: ") + cause.getClass().getSimpleName());
    }
  }

  /** Error frames that reply to nothing it sent; a refused upgrade comes here too, and is counted by {@link #lost}. */
  private void refused(RefusedException refusal) {
    if (refusal.httpStatus().isEmpty()) {
      refusedFrame(refusal);
    }
  }

  private void refusedFrame(RefusedException refusal) {
    if (refusal.is(ErrorCode.ALREADY_CLOSED) || refusal.is(ErrorCode.UNKNOWN_INTERACTION)) {
      tally.lostRace();
    } else {
      tally.error("ws error frame: " + refusal.code());
    }
  }

  private void shown(ServerMessage.Interaction interaction) {
    String id = interaction.id();
    if (leaving.get() || !claims.claim(id)) {
      return;
    }
    Optional<Fate> fate = fateOf(interaction.payload());
    if (fate.isEmpty()) {
      // Not one of ours (someone else's interaction in the session): leave it alone.
      return;
    }
    switch (fate.get()) {
      case ANSWER -> device.answer(id, APPROVED).whenComplete((ack, failure) -> replied(failure));
      case REJECT -> device.reject(id, "load test").whenComplete((ack, failure) -> replied(failure));
      case DROP -> {
        tally.clientDropped();
        abort();
      }
      case DISCONNECT -> {
        tally.clientDisconnected();
        close();
      }
      case CANCEL, TIMEOUT -> {
        // The requester cancels it, or it expires: a device that shows it and waits.
      }
    }
  }

  /**
   * The server's reply to an answer or a rejection: its {@code ack} needs nothing, a refusal is counted. A connection
   * lost before the reply was counted when it was lost; a device closed meanwhile was closed by the tool.
   */
  private void replied(Throwable failure) {
    Throwable cause = unwrapped(failure);
    if (cause instanceof RefusedException refusal) {
      refusedFrame(refusal);
    } else if (cause instanceof TimeoutException) {
      tally.error("ws no reply to an answer");
    }
  }

  private static Optional<Fate> fateOf(RawJson payload) {
    return payload == null ? Optional.empty() : Fate.named(payload.tree().path("fate").asText());
  }

  private static Throwable unwrapped(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
  }
}
