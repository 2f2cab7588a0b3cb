package dev.interactions.api;

import dev.interactions.core.Attachment;
import dev.interactions.core.Device;
import dev.interactions.core.Census;
import dev.interactions.core.InteractionRefusedException;
import dev.interactions.core.Session;
import dev.interactions.core.SessionDirectory;
import dev.interactions.protocol.ServerMessage;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The connection of an in-process {@link InteractionListener}: the same kind of actor a WebSocket or SSE stream gets,
 * attached to its session through an {@link Attachment} (which follows the session wherever it moves). Stopping it,
 * cleanly or not, detaches the client.
 */
final class InProcessConnection extends AbstractBehavior<InProcessConnection.Command> {

  sealed interface Command {}

  /** Detach and stop. */
  enum Close implements Command {
    INSTANCE
  }

  private record FromAttachment(Attachment.Event event) implements Command {}

  static Behavior<Command> create(
      String sessionId,
      Device device,
      InteractionListener listener,
      SessionDirectory directory,
      Duration askTimeout,
      Duration retryDelay,
      CompletableFuture<ClientHandle> attached) {
    return Behaviors.setup(
        context ->
            new InProcessConnection(context, sessionId, device, listener, directory, askTimeout, retryDelay, attached));
  }

  private final String sessionId;
  private final Device device;
  private final String connectionId;
  private final InteractionListener listener;
  private final SessionDirectory directory;
  private final Duration askTimeout;
  private final CompletableFuture<ClientHandle> attached;
  private final Census census;

  private InProcessConnection(
      ActorContext<Command> context,
      String sessionId,
      Device device,
      InteractionListener listener,
      SessionDirectory directory,
      Duration askTimeout,
      Duration retryDelay,
      CompletableFuture<ClientHandle> attached) {
    super(context);
    this.sessionId = sessionId;
    this.device = device;
    this.connectionId = device.connectionId();
    this.listener = listener;
    this.directory = directory;
    this.askTimeout = askTimeout;
    this.attached = attached;
    this.census = Census.get(context.getSystem());
    census.connectionStarted(Census.Transport.IN_PROCESS);
    context.spawn(
            Attachment.create(
                sessionId,
                device,
                directory,
                context.messageAdapter(Attachment.Event.class, FromAttachment::new),
                askTimeout,
                retryDelay),
            "attachment");
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(FromAttachment.class, from -> onEvent(from.event()))
        .onMessageEquals(Close.INSTANCE, this::onClose)
        .onSignal(PostStop.class, signal -> onPostStop())
        .build();
  }

  private Behavior<Command> onEvent(Attachment.Event event) {
    if (event instanceof Attachment.Deliver deliver) {
      deliver(deliver.message());
    } else if (event instanceof Attachment.Attached first && first.first()) {
      attached.complete(new ClientHandle(sessionId, device, getContext().getSelf(), directory, askTimeout));
    } else if (event instanceof Attachment.Lost lost) {
      attached.completeExceptionally(new InteractionRefusedException(lost.refusal()));
      return Behaviors.stopped();
    }
    return this;
  }

  private void deliver(ServerMessage message) {
    try {
      if (message instanceof ServerMessage.Interaction interaction) {
        listener.onInteraction(interaction);
      } else if (message instanceof ServerMessage.Closed closed) {
        listener.onClosed(closed);
      } else if (message instanceof ServerMessage.Shown shown) {
        listener.onShown(shown);
      } else if (message instanceof ServerMessage.Extended extended) {
        listener.onExtended(extended);
      }
    } catch (RuntimeException e) {
      getContext().getLog().warn("listener of session {} failed on {}", sessionId, message, e);
    }
  }

  private Behavior<Command> onClose() {
    // The session watches the attachment (stopped with this actor); the detach only tells it sooner.
    directory.tell(sessionId, new Session.Detach(connectionId));
    return Behaviors.stopped();
  }

  private Behavior<Command> onPostStop() {
    census.connectionStopped(Census.Transport.IN_PROCESS);
    attached.completeExceptionally(new IllegalStateException("connection closed before it was attached"));
    return this;
  }
}
