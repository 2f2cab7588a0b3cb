package dev.interactions.api;

import dev.interactions.core.Census;
import dev.interactions.core.InteractionRefusedException;
import dev.interactions.core.RequestRefused;
import dev.interactions.core.Session;
import dev.interactions.core.SessionDirectory;
import dev.interactions.protocol.ServerMessage;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The connection of an in-process {@link InteractionListener}: the same kind of actor a WebSocket or SSE stream gets,
 * attached to its session and watched by it. Stopping it, cleanly or not, detaches the client.
 */
final class InProcessConnection extends AbstractBehavior<InProcessConnection.Command> {

  sealed interface Command {}

  /** Detach and stop. */
  enum Close implements Command {
    INSTANCE
  }

  private record Deliver(ServerMessage message) implements Command {}

  private record AttachCompleted(Session.AttachResult result, Throwable failure) implements Command {}

  static Behavior<Command> create(
      String sessionId,
      String connectionId,
      InteractionListener listener,
      SessionDirectory directory,
      Duration askTimeout,
      CompletableFuture<ClientHandle> attached) {
    return Behaviors.setup(
        context ->
            new InProcessConnection(context, sessionId, connectionId, listener, directory, askTimeout, attached));
  }

  private final String sessionId;
  private final String connectionId;
  private final InteractionListener listener;
  private final SessionDirectory directory;
  private final Duration askTimeout;
  private final CompletableFuture<ClientHandle> attached;
  private final Census census;

  private InProcessConnection(
      ActorContext<Command> context,
      String sessionId,
      String connectionId,
      InteractionListener listener,
      SessionDirectory directory,
      Duration askTimeout,
      CompletableFuture<ClientHandle> attached) {
    super(context);
    this.sessionId = sessionId;
    this.connectionId = connectionId;
    this.listener = listener;
    this.directory = directory;
    this.askTimeout = askTimeout;
    this.attached = attached;
    this.census = Census.get(context.getSystem());
    census.connectionStarted(Census.Transport.IN_PROCESS);
    ActorRef<ServerMessage> inbox = context.messageAdapter(ServerMessage.class, Deliver::new);
    context.pipeToSelf(
        directory.ask(
            sessionId,
            (ActorRef<Session.AttachResult> replyTo) -> new Session.Attach(connectionId, inbox, replyTo),
            askTimeout),
        AttachCompleted::new);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Deliver.class, this::onDeliver)
        .onMessage(AttachCompleted.class, this::onAttachCompleted)
        .onMessageEquals(Close.INSTANCE, this::onClose)
        .onSignal(PostStop.class, signal -> onPostStop())
        .build();
  }

  private Behavior<Command> onDeliver(Deliver deliver) {
    try {
      if (deliver.message() instanceof ServerMessage.Interaction interaction) {
        listener.onInteraction(interaction);
      } else if (deliver.message() instanceof ServerMessage.Closed closed) {
        listener.onClosed(closed);
      }
    } catch (RuntimeException e) {
      getContext().getLog().warn("listener of session {} failed on {}", sessionId, deliver.message(), e);
    }
    return this;
  }

  private Behavior<Command> onAttachCompleted(AttachCompleted completed) {
    if (completed.result() instanceof Session.Attached) {
      attached.complete(new ClientHandle(sessionId, connectionId, getContext().getSelf(), directory, askTimeout));
      return this;
    }
    if (completed.result() instanceof RequestRefused refused) {
      attached.completeExceptionally(new InteractionRefusedException(refused));
    } else {
      attached.completeExceptionally(completed.failure());
    }
    return Behaviors.stopped();
  }

  private Behavior<Command> onClose() {
    directory.tell(sessionId, new Session.Detach(connectionId));
    return Behaviors.stopped();
  }

  private Behavior<Command> onPostStop() {
    census.connectionStopped(Census.Transport.IN_PROCESS);
    attached.completeExceptionally(new IllegalStateException("connection closed before it was attached"));
    return this;
  }
}
