package dev.interactions.api;

import dev.interactions.core.Census;
import dev.interactions.core.InteractionRefusedException;
import dev.interactions.core.Refusal;
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

  /** The session incarnation it is attached to stopped (a durable session failed and is restarted): attach again. */
  private enum SessionStopped implements Command {
    INSTANCE
  }

  static Behavior<Command> create(
      String sessionId,
      String connectionId,
      InteractionListener listener,
      SessionDirectory directory,
      Duration askTimeout,
      Duration retryDelay,
      CompletableFuture<ClientHandle> attached) {
    return Behaviors.setup(
        context ->
            new InProcessConnection(
                context, sessionId, connectionId, listener, directory, askTimeout, retryDelay, attached));
  }

  private final String sessionId;
  private final String connectionId;
  private final InteractionListener listener;
  private final SessionDirectory directory;
  private final Duration askTimeout;
  /** How long to wait before attaching again when a restarting session refused it. */
  private final Duration retryDelay;
  private final CompletableFuture<ClientHandle> attached;
  private final Census census;
  private final ActorRef<ServerMessage> inbox;

  private InProcessConnection(
      ActorContext<Command> context,
      String sessionId,
      String connectionId,
      InteractionListener listener,
      SessionDirectory directory,
      Duration askTimeout,
      Duration retryDelay,
      CompletableFuture<ClientHandle> attached) {
    super(context);
    this.sessionId = sessionId;
    this.connectionId = connectionId;
    this.listener = listener;
    this.directory = directory;
    this.askTimeout = askTimeout;
    this.retryDelay = retryDelay;
    this.attached = attached;
    this.census = Census.get(context.getSystem());
    census.connectionStarted(Census.Transport.IN_PROCESS);
    this.inbox = context.messageAdapter(ServerMessage.class, Deliver::new);
    attach();
  }

  private void attach() {
    getContext()
        .pipeToSelf(
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
        .onMessageEquals(SessionStopped.INSTANCE, this::onSessionStopped)
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
    if (completed.result() instanceof Session.Attached session) {
      attached.complete(new ClientHandle(sessionId, connectionId, getContext().getSelf(), directory, askTimeout));
      getContext().watchWith(session.session(), SessionStopped.INSTANCE);
      return this;
    }
    if (attached.isDone()) {
      // Attaching again after its session stopped: a shutdown ends this connection anyway; otherwise retry later.
      boolean shuttingDown =
          completed.result() instanceof RequestRefused refused && refused.reason() == Refusal.SHUTTING_DOWN;
      if (!shuttingDown) {
        getContext().scheduleOnce(retryDelay, getContext().getSelf(), SessionStopped.INSTANCE);
      }
      return this;
    }
    if (completed.result() instanceof RequestRefused refused) {
      attached.completeExceptionally(new InteractionRefusedException(refused));
    } else {
      attached.completeExceptionally(completed.failure());
    }
    return Behaviors.stopped();
  }

  private Behavior<Command> onSessionStopped() {
    attach();
    return this;
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
