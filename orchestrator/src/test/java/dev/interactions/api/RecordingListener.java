package dev.interactions.api;

import dev.interactions.protocol.ServerMessage;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An in-process client (a device) for tests: it records what it is shown, and hands it over in order, waiting for it
 * up to a deadline. Shared with the server module's tests through the orchestrator's test jar.
 */
public final class RecordingListener implements InteractionListener {

  private final BlockingQueue<ServerMessage.Interaction> interactions = new LinkedBlockingQueue<>();
  private final BlockingQueue<ServerMessage.Closed> closed = new LinkedBlockingQueue<>();
  private final Duration wait;

  /** @param wait how long {@link #nextInteraction()} and {@link #nextClosed()} wait before they fail */
  public RecordingListener(Duration wait) {
    this.wait = wait;
  }

  @Override
  public void onInteraction(ServerMessage.Interaction interaction) {
    interactions.add(interaction);
  }

  @Override
  public void onClosed(ServerMessage.Closed event) {
    closed.add(event);
  }

  /** The next interaction shown; fails if none is shown in time. */
  public ServerMessage.Interaction nextInteraction() throws InterruptedException {
    return next(interactions, "no interaction shown");
  }

  /** The next interaction closed; fails if none is closed in time. */
  public ServerMessage.Closed nextClosed() throws InterruptedException {
    return next(closed, "no closed event");
  }

  private <T> T next(BlockingQueue<T> queue, String missing) throws InterruptedException {
    T next = queue.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    if (next == null) {
      throw new AssertionError(missing + " within " + wait.toSeconds() + " s");
    }
    return next;
  }
}
