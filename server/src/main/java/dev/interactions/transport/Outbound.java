package dev.interactions.transport;

import dev.interactions.protocol.ServerMessage;
import java.util.ArrayDeque;
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
 *
 * <p>The queue is a {@code Source.queue(n)} run as part of the client's own stream (the WebSocket or the response
 * entity), inside the connection's stream actor: it exists once Pekko HTTP runs that stream, a moment after the
 * connection actor has started. What the connection sends before that waits here, within the same bound, and goes into
 * the queue when it {@link #started}. Running it on its own beforehand ({@code preMaterialize}) would cost every
 * connection two more actors and a Reactive Streams boundary for as long as it lives.
 *
 * <p>Owned by the connection's actor (not thread-safe, and it need not be), except {@link #abort()}.
 */
public final class Outbound {

  private final int capacity;
  private final SharedKillSwitch socket;
  /** The running queue; null until the client's stream runs. */
  private BoundedSourceQueue<ServerMessage> queue;
  /** What was sent before the queue ran; null once it runs, or while nothing was. */
  private ArrayDeque<ServerMessage> early;
  /** Whether the stream is to end once what is queued has been read. */
  private boolean ended;

  /**
   * @param capacity how many messages may wait for the client
   * @param socket cuts the client's socket (the WebSocket's bytes, the event stream's response entity)
   */
  Outbound(int capacity, SharedKillSwitch socket) {
    this.capacity = capacity;
    this.socket = socket;
  }

  /** Queues {@code message}; false when the buffer is full, that is the client is not reading fast enough. */
  boolean offer(ServerMessage message) {
    if (queue != null) {
      // QueueClosed and Failure mean the stream is already gone, which the connection learns from the stream itself.
      return !QueueOfferResult.dropped().equals(queue.offer(message));
    }
    if (ended) {
      return true;
    }
    if (early == null) {
      early = new ArrayDeque<>(4);
    } else if (early.size() >= capacity) {
      return false;
    }
    early.add(message);
    return true;
  }

  /** The client's stream runs: what was sent meanwhile goes into its queue, and the stream ends if it was to end. */
  void started(BoundedSourceQueue<ServerMessage> running) {
    if (queue != null) {
      return;
    }
    queue = running;
    if (early != null) {
      // Within the same bound, so it fits the fresh queue.
      early.forEach(running::offer);
      early = null;
    }
    if (ended) {
      complete();
    }
  }

  /** Whether the client's stream has started running. */
  boolean running() {
    return queue != null;
  }

  /** Ends the stream once the client has read what is queued: a WebSocket close frame, the end of the event stream. */
  void end() {
    ended = true;
    if (queue != null) {
      complete();
    }
  }

  private void complete() {
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
   * whose socket would otherwise stay open until Pekko's idle timeout. A stream that only starts afterwards is aborted
   * as it starts. Thread-safe.
   */
  void abort() {
    socket.abort(new SlowConsumerAborted());
  }

  /** The switch that {@link #abort()} throws: the client streams put it on the socket's bytes or response entity. */
  SharedKillSwitch socketSwitch() {
    return socket;
  }
}
