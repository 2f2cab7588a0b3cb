package dev.interactions.transport;

import dev.interactions.core.Ask;
import dev.interactions.protocol.ServerMessage;
import dev.interactions.protocol.WireCodec;
import dev.interactions.transport.auth.Caller;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.impl.engine.server.UpgradeToOtherProtocolResponseHeader;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.stream.FanInShape2;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.GraphDSL;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Builds the streams of one client: a bounded outbound queue written by its {@link Connection} actor, and for a
 * WebSocket the inbound side that feeds the actor. A message that does not fit the queue tells the connection that
 * its client does not read; the connection then ends the stream and, if the client still does not read, aborts the
 * socket (see {@link Outbound}).
 */
public final class ClientStreams {

  /** An opened connection and the outbound side to serve to its client. */
  public record Opened(Connections.Opened result, Outbound outbound) {}

  /** The handler of a handshake whose response only lends its headers (see {@link #webSocket}); never run. */
  private static final Flow<Message, Message, NotUsed> NO_MESSAGES = Flow.create();

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
   * @param traffic where the streams report the messages they send
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

  /**
   * Opens a connection actor for session {@code sessionId}; its outbound queue is ready before the client is.
   *
   * @param caller who opens it: its token's expiry ends the connection, its subject and roles say which interactions
   *     it may answer and are the audit of its answers
   * @param userAgent its {@code User-Agent}, for the same audit
   */
  public CompletionStage<Opened> open(
      String sessionId, Transport transport, Caller caller, Optional<String> userAgent) {
    Outbound outbound = new Outbound(settings.outboundBuffer(), KillSwitches.shared(transport.name()));
    return Ask.<Connections.Command, Connections.Opened>ask(
            connections,
            replyTo ->
                new Connections.Open(
                    sessionId,
                    transport,
                    outbound,
                    caller.validUntil(),
                    caller.verifiedSubject(),
                    caller.roles(),
                    userAgent,
                    replyTo),
            askTimeout,
            system)
        .thenApply(result -> new Opened(result, outbound));
  }

  /**
   * The messages for the client: a bounded queue, run as part of the client's stream (see {@link Outbound}), which it
   * hands to {@code connection} once it runs. {@code Source.queue(n)} does not preallocate its n slots, and refuses
   * (rather than fails on) a message that does not fit.
   */
  private static Source<ServerMessage, NotUsed> messages(int buffer, ActorRef<Connection.Command> connection) {
    return Source.<ServerMessage>queue(buffer)
        .mapMaterializedValue(
            queue -> {
              connection.tell(new Connection.OutboundStarted(queue));
              return NotUsed.getInstance();
            });
  }

  /**
   * The upgrade response of an accepted WebSocket: client messages in, server messages out, each ending the other.
   * The socket's bytes pass through the outbound's abort switch, so that a client that does not read can be cut off:
   * Pekko HTTP turns any end of a message handler into a close frame, which such a client never reads, and the socket
   * would stay open until the idle timeout.
   *
   * <p>The socket's stream is built when Pekko HTTP runs it, not here: Pekko HTTP keeps the handler of an upgrade
   * response for as long as the socket lives, and a handler built beforehand would keep its whole blueprint (≈ 14 kB
   * per WebSocket, its WebSocket stack included) after it has run. Built inside {@code Flow.fromMaterializer}, the
   * blueprint is garbage once it runs.
   */
  public HttpResponse webSocket(WebSocketUpgrade upgrade, ActorRef<Connection.Command> connection, Opened opened) {
    // The handshake's headers come from Pekko HTTP; its handler is replaced by one built on materialization.
    HttpResponse handshake = upgrade.handleMessagesWith(NO_MESSAGES);
    Outbound outbound = opened.outbound();
    Flow<ByteString, ByteString, Object> socket =
        Flow.fromMaterializer(
            (materializer, attributes) ->
                protocolSwitch(upgrade.handleMessagesWith(messageHandler(connection)))
                    .handler()
                    .via(outbound.socketSwitch().flow())
                    .asJava())
            .mapMaterializedValue(started -> started);
    return withProtocolSwitch(handshake, socket);
  }

  /**
   * The client's messages in, the connection's messages out (see {@link ClientSocket}); built for each WebSocket as it
   * starts running.
   */
  private Flow<Message, Message, NotUsed> messageHandler(ActorRef<Connection.Command> connection) {
    return Flow.fromGraph(
        GraphDSL.create(
            builder -> {
              FanInShape2<Message, ServerMessage, Message> socket =
                  builder.add(new ClientSocket(connection, reader, traffic));
              builder.from(builder.add(messages(settings.outboundBuffer(), connection))).toInlet(socket.in1());
              return FlowShape.of(socket.in0(), socket.out());
            }));
  }

  /**
   * Pekko HTTP's protocol switch of a WebSocket upgrade response. Pekko HTTP offers no public hook below its WebSocket
   * stack, so this unwraps its internal protocol-switch header (stable since Akka HTTP 10.1, and also how its HTTP/2
   * upgrade works) to put the outbound's abort switch on the socket's bytes; {@code ConnectionLifecycleTest} fails if a
   * Pekko HTTP upgrade changes it.
   */
  private static UpgradeToOtherProtocolResponseHeader protocolSwitch(HttpResponse upgraded) {
    for (HttpHeader header : upgraded.getHeaders()) {
      if (header instanceof UpgradeToOtherProtocolResponseHeader protocolSwitch) {
        return protocolSwitch;
      }
    }
    throw new IllegalStateException("Pekko HTTP's WebSocket upgrade response has no protocol switch header");
  }

  /** {@code upgraded} with {@code socket} as the handler of the upgraded connection's bytes. */
  private static HttpResponse withProtocolSwitch(HttpResponse upgraded, Flow<ByteString, ByteString, Object> socket) {
    UpgradeToOtherProtocolResponseHeader protocolSwitch = protocolSwitch(upgraded);
    return upgraded
        .removeHeader(protocolSwitch.name())
        .addHeader(new UpgradeToOtherProtocolResponseHeader(socket.asScala()));
  }

  /** Tells the connection its stream is over. */
  private NotUsed tellWhenEnded(CompletionStage<Done> ended, ActorRef<Connection.Command> connection) {
    ended.whenCompleteAsync((done, failure) -> connection.tell(Connection.StreamEnded.INSTANCE), system.executionContext());
    return NotUsed.getInstance();
  }

  /**
   * The Server-Sent Events of an accepted connection: {@code event: <type>} and {@code data: <json>} per message, and a
   * {@code :} comment line whenever the stream is quiet for a heartbeat. Written by hand because Pekko's own heartbeat
   * is an empty event, not a comment, and clients would see it as a message. The outbound's abort fails the response
   * entity, which makes Pekko HTTP abort the connection.
   */
  public Source<ByteString, NotUsed> events(ActorRef<Connection.Command> connection, Opened opened) {
    return messages(settings.outboundBuffer(), connection)
        .map(
            message -> {
              ByteString event =
                  ByteString.fromString(
                      "event: " + WireCodec.typeName(message) + "\ndata: " + WireCodec.encode(message) + "\n\n");
              traffic.sent(Transport.SSE, event.length());
              return event;
            })
        .keepAlive(settings.heartbeat(), () -> HEARTBEAT)
        .via(opened.outbound().socketSwitch().flow())
        .watchTermination((notUsed, ended) -> tellWhenEnded(ended, connection));
  }
}
