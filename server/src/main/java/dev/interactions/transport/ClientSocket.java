package dev.interactions.transport;

import dev.interactions.protocol.ServerMessage;
import dev.interactions.protocol.WireCodec;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FanInShape2;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * The message side of one WebSocket in a single stage: the client's messages are read (one at a time, within the size
 * limit) and told to the {@link Connection}; the connection's messages, from its outbound queue, are encoded and sent to
 * the client; either side ending ends the other, and the connection hears when the client's side ended ({@link
 * Connection.ClientGone}) and when the whole stream has ({@link Connection.StreamEnded}).
 *
 * <p>One stage instead of the seven that the same built from Pekko's operators takes ({@code mapAsync}, two {@code
 * map}s, {@code Sink.onComplete}, the coupling, {@code watchTermination}): every stage is ≈ 0.7 kB of heap for as long
 * as the socket is open, which is most of what an idle connection costs (docs/BENCHMARKS.md, "Idle connections").
 *
 * <p>It tells the actor rather than watching it (as {@code ActorSink.actorRef} would): the actor outlives its stream, and
 * a watch would cut the outbound side the moment the actor stops, dropping the frames it sent last (a final error,
 * "closed" at shutdown).
 *
 * <p>Inlet {@code in0}: the client's messages; inlet {@code in1}: the connection's outbound queue; outlet: to the client.
 */
final class ClientSocket extends GraphStage<FanInShape2<Message, ServerMessage, Message>> {

  private final ActorRef<Connection.Command> connection;
  private final MessageReader reader;
  private final Traffic traffic;
  private final FanInShape2<Message, ServerMessage, Message> shape = new FanInShape2<>("ClientSocket");

  ClientSocket(ActorRef<Connection.Command> connection, MessageReader reader, Traffic traffic) {
    this.connection = connection;
    this.reader = reader;
    this.traffic = traffic;
  }

  @Override
  public FanInShape2<Message, ServerMessage, Message> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    Inlet<Message> fromClient = shape.in0();
    Inlet<ServerMessage> fromConnection = shape.in1();
    Outlet<Message> toClient = shape.out();
    return new GraphStageLogic(shape) {
      /** Whether a streamed message is being read; the client's side ending waits for it. */
      private boolean reading;

      private boolean clientFinished;

      private final AsyncCallback<Pair<Connection.Command, Throwable>> read =
          createAsyncCallback(result -> onRead(result.first(), result.second()));

      {
        setHandler(
            fromClient,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                CompletionStage<Connection.Command> command = reader.read(grab(fromClient));
                CompletableFuture<Connection.Command> done = command.toCompletableFuture();
                if (done.isDone() && !done.isCompletedExceptionally()) {
                  onRead(done.join(), null);
                } else {
                  reading = true;
                  command.whenComplete((value, failure) -> read.invoke(Pair.create(value, failure)));
                }
              }

              // A message still being read is told to the connection first.
              @Override
              public void onUpstreamFinish() {
                if (reading) {
                  clientFinished = true;
                } else {
                  completeStage();
                }
              }
            });
        setHandler(
            fromConnection,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                String text = WireCodec.encode(grab(fromConnection));
                traffic.sent(Transport.WEBSOCKET, MessageReader.utf8Length(text));
                push(toClient, TextMessage.create(text));
              }

              // When the connection ends its queue the stage completes (the handlers' default), so the client gets
              // what was queued, then a close frame.
            });
        setHandler(
            toClient,
            new AbstractOutHandler() {
              @Override
              public void onPull() {
                pull(fromConnection);
              }
            });
      }

      @Override
      public void preStart() {
        pull(fromClient);
      }

      private void onRead(Connection.Command command, Throwable failure) {
        reading = false;
        if (failure != null) {
          failStage(failure);
          return;
        }
        connection.tell(command);
        if (clientFinished) {
          completeStage();
        } else {
          pull(fromClient);
        }
      }

      // Every ending (either side finishing, failing or cancelling; the handlers' defaults end the whole stage) comes
      // through here, so the connection hears each once and in this order.
      @Override
      public void postStop() {
        connection.tell(Connection.ClientGone.INSTANCE);
        connection.tell(Connection.StreamEnded.INSTANCE);
      }
    };
  }
}
