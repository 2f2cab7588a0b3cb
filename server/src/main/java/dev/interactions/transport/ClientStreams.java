package dev.interactions.transport;

import dev.interactions.core.Ask;
import dev.interactions.protocol.WireCodec;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BufferOverflowException;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.apache.pekko.util.ByteString;

/**
 * Builds the streams of one client: a bounded outbound queue written by its {@link Connection} actor, and for a
 * WebSocket the inbound side that feeds the actor. The queue fails when it is full, so a client that does not read is
 * disconnected instead of being buffered without limit.
 */
public final class ClientStreams {

  /** An opened connection and the outbound stream to serve to its client. */
  public record Opened(Connections.Opened result, Source<Outbound, NotUsed> outbound) {}

  /** An SSE comment line: keeps proxies from closing a quiet stream, ignored by every client. */
  private static final ByteString HEARTBEAT = ByteString.fromString(":\n\n");

  private final ActorSystem<?> system;
  private final ActorRef<Connections.Command> connections;
  private final TransportSettings settings;
  private final Duration askTimeout;
  private final Materializer materializer;
  private final MessageReader reader;
  private final Traffic traffic;

  /**
   * @param system where the streams run
   * @param connections the parent of the connection actors
   * @param settings transport bounds and timings
   * @param askTimeout how long opening a connection may take
   * @param traffic where the streams report the messages they send and the slow consumers they drop
   */
  public ClientStreams(
      ActorSystem<?> system,
      ActorRef<Connections.Command> connections,
      TransportSettings settings,
      Duration askTimeout,
      Traffic traffic) {
    this.system = system;
    this.traffic = traffic;
    this.connections = connections;
    this.settings = settings;
    this.askTimeout = askTimeout;
    this.materializer = Materializer.matFromSystem(system);
    this.reader = new MessageReader(settings.maxMessageBytes(), materializer);
  }

  /** Opens a connection actor for session {@code sessionId}; its outbound stream is ready before the client is. */
  public CompletionStage<Opened> open(String sessionId, Transport transport) {
    Pair<ActorRef<Outbound>, Source<Outbound, NotUsed>> outbound =
        ActorSource.<Outbound>actorRef(
                message -> message == Outbound.End.INSTANCE,
                message -> Optional.empty(),
                settings.outboundBuffer(),
                OverflowStrategy.fail())
            .preMaterialize(materializer);
    return Ask.<Connections.Command, Connections.Opened>ask(
            connections,
            replyTo -> new Connections.Open(sessionId, transport, outbound.first(), replyTo),
            askTimeout,
            system)
        .thenApply(
            result -> {
              if (result instanceof Connections.Refused) {
                outbound.first().tell(Outbound.End.INSTANCE);
              }
              return new Opened(result, outbound.second());
            });
  }

  /** The WebSocket handler of an accepted connection: client messages in, server messages out, each ending the other. */
  public Flow<Message, Message, NotUsed> webSocket(
      ActorRef<Connection.Command> connection, Source<Outbound, NotUsed> outbound) {
    // Not ActorSink.actorRef: it watches the actor and would cancel the coupled outbound side the moment the actor
    // stops, dropping the frames it sent last (a final error, "closed" at shutdown). The actor outlives its stream.
    Sink<Message, NotUsed> in =
        Flow.<Message>create()
            .mapAsync(1, reader::read)
            .map(
                command -> {
                  connection.tell(command);
                  return command;
                })
            .to(Sink.onComplete(ended -> connection.tell(Connection.ClientGone.INSTANCE)));
    Source<Message, NotUsed> out =
        outbound
            .collectType(Outbound.Frame.class)
            .map(
                frame -> {
                  String text = WireCodec.encode(frame.message());
                  traffic.sent(Transport.WEBSOCKET, MessageReader.utf8Length(text));
                  return TextMessage.create(text);
                });
    return Flow.fromSinkAndSourceCoupled(in, out)
        .watchTermination((notUsed, ended) -> tellWhenEnded(ended, connection, Transport.WEBSOCKET));
  }

  /** Tells the connection its stream is over, and counts a slow consumer if it ended because its buffer overflowed. */
  private NotUsed tellWhenEnded(
      CompletionStage<Done> ended, ActorRef<Connection.Command> connection, Transport transport) {
    ended.whenCompleteAsync(
        (done, failure) -> {
          if (overflowed(failure)) {
            traffic.slowConsumerDisconnected(transport);
          }
          connection.tell(Connection.StreamEnded.INSTANCE);
        },
        system.executionContext());
    return NotUsed.getInstance();
  }

  private static boolean overflowed(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof BufferOverflowException) {
        return true;
      }
    }
    return false;
  }

  /**
   * The Server-Sent Events of an accepted connection: {@code event: <type>} and {@code data: <json>} per message, and a
   * {@code :} comment line whenever the stream is quiet for a heartbeat. Written by hand because Pekko's own heartbeat
   * is an empty event, not a comment, and clients would see it as a message.
   */
  public Source<ByteString, NotUsed> events(
      ActorRef<Connection.Command> connection, Source<Outbound, NotUsed> outbound) {
    return outbound
        .collectType(Outbound.Frame.class)
        .map(
            frame -> {
              ByteString event =
                  ByteString.fromString(
                      "event: " + WireCodec.typeName(frame.message()) + "\ndata: " + WireCodec.encode(frame.message()) + "\n\n");
              traffic.sent(Transport.SSE, event.length());
              return event;
            })
        .keepAlive(settings.heartbeat(), () -> HEARTBEAT)
        .watchTermination((notUsed, ended) -> tellWhenEnded(ended, connection, Transport.SSE));
  }

}
