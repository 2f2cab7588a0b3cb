package dev.interactions.transport;

import dev.interactions.protocol.ServerMessage;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.SharedKillSwitch;

/**
 * The server's side of one client stream, written by its {@link Connection}: a bounded queue of messages for the
 * client, the end of the stream, and the abort that tears the socket down when the stream cannot end by itself.
 *
 * <p>The queue is bounded ({@code orchestrator.transport.outbound-buffer}) and never blocks: a message that does not fit
 * is refused, which is how a client that does not read is noticed. Ending the stream (a close frame, the end of the
 * event stream) still needs the client to read what is queued before it; {@link #abort()} does not.
 */
public final class Outbound {

  private final BoundedSourceQueue<ServerMessage> queue;
  private final SharedKillSwitch socket;
  private final CompletionStage<Done> terminated;

  /**
   * @param queue the messages for the client
   * @param socket cuts the client's socket (the WebSocket's bytes, the event stream's response entity)
   * @param terminated completes when the queue's stream has terminated, including when it was never run
   */
  Outbound(BoundedSourceQueue<ServerMessage> queue, SharedKillSwitch socket, CompletionStage<Done> terminated) {
    this.queue = queue;
    this.socket = socket;
    this.terminated = terminated;
  }

  /** Queues {@code message}; false when the buffer is full, that is the client is not reading fast enough. */
  boolean offer(ServerMessage message) {
    // QueueClosed and Failure mean the stream is already gone, which the connection learns from the stream itself.
    return !QueueOfferResult.dropped().equals(queue.offer(message));
  }

  /** Ends the stream once the client has read what is queued: a WebSocket close frame, the end of the event stream. */
  void end() {
    if (queue.isCompleted()) {
      return;
    }
    try {
      queue.complete();
    } catch (IllegalStateException streamEndedMeanwhile) {
      // The client's side ended the stream between the check and the call: there is nothing left to end.
    }
  }

  /**
   * Aborts the client's TCP connection at once, whatever is still queued or unwritten: for a client that does not read,
   * whose socket would otherwise stay open until Pekko's idle timeout. Does nothing once the stream has terminated.
   */
  void abort() {
    socket.abort(new SlowConsumerAborted());
  }

  /** The switch that {@link #abort()} throws: the client streams put it on the socket's bytes or response entity. */
  SharedKillSwitch socketSwitch() {
    return socket;
  }

  /** Completes when the outbound stream has terminated, however it ended (or was never run). */
  CompletionStage<Done> terminated() {
    return terminated;
  }
}
