package dev.interactions.transport;

import dev.interactions.core.Device;
import dev.interactions.core.InteractionOutcome;
import dev.interactions.core.Session;
import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.HttpBodies;
import dev.interactions.protocol.InvalidInputException;
import dev.interactions.protocol.ServerMessage;
import dev.interactions.transport.auth.Caller;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The routes devices use: the WebSocket and the event stream, and the {@code POST}s of event-stream devices
 * ({@code answer}, {@code reject}, {@code shown}, {@code extend}), each turned into the session command a WebSocket
 * message would be.
 */
final class DeviceRoutes extends RouteSupport {

  static final ContentType EVENT_STREAM = ContentTypes.create(MediaTypes.TEXT_EVENT_STREAM);

  private final ClientStreams streams;

  DeviceRoutes(RouteSupport shared, ClientStreams streams) {
    super(shared);
    this.streams = streams;
  }

  /** {@code POST …/answer} and {@code …/reject}: the body becomes a client response, as if sent over a WebSocket. */
  <T> Route respondWith(
      String sessionId,
      String interactionId,
      Class<T> bodyType,
      Function<T, String> connectionIdOf,
      BiFunction<T, String, InteractionOutcome.Response> response) {
    return fromDevice(
        sessionId,
        bodyType,
        connectionIdOf,
        (body, device) ->
            replyTo ->
                new Session.Respond(
                    interactionId, device, response.apply(body, device.connectionId()), null, replyTo, false));
  }

  /**
   * {@code POST}s of event-stream devices ({@code answer}, {@code reject}, {@code shown}, {@code extend}): the body
   * becomes the session command {@code command} makes for the device it comes from, as if sent over a WebSocket, and
   * the session's receipt the response. The connection a body names is only the client's claim: the session counts it
   * only if it is attached there (and opened with the same token subject); otherwise the device is the HTTP caller,
   * {@code http:<subject>}.
   */
  <T> Route fromDevice(
      String sessionId,
      Class<T> bodyType,
      Function<T, String> connectionIdOf,
      BiFunction<T, Device, Function<ActorRef<ServerMessage.Receipt>, Session.Command>> command) {
    return post(
        () ->
            caller(
                false,
                caller ->
                    optionalHeaderValueByName(
                        "User-Agent",
                        userAgent ->
                            body(
                                bodyType,
                                body -> {
                                  String named = connectionIdOf.apply(body);
                                  String subject = caller.verifiedSubject().orElse(null);
                                  Device device =
                                      named != null
                                          ? Device.claimed(named, subject, caller.roles(), userAgent.orElse(null))
                                          : Device.httpCaller(subject, caller.roles(), userAgent.orElse(null));
                                  return receipt(caller, sessionId, command.apply(body, device));
                                }))));
  }

  /** Answers and reasons sent over HTTP get the bound a payload gets, as they would inside a WebSocket message. */
  <T> T withinPayloadLimit(String field, T value) {
    if (value != null && MessageReader.utf8Length(value.toString()) > core.maxPayloadBytes()) {
      throw new InvalidInputException(field, "is over the limit of " + core.maxPayloadBytes() + " bytes");
    }
    return value;
  }

  // --- clients ---------------------------------------------------------------------------------------------------

  Route webSocket(Caller caller, String sessionId) {
    if (!caller.mayJoin(sessionId)) {
      return forbidden(sessionId);
    }
    // Only a real upgrade request gets a connection actor: a plain GET is rejected before anything is spawned.
    return extractWebSocketUpgrade(
        upgrade ->
            allowedOrigin(
                () ->
                    optionalHeaderValueByName(
                        "User-Agent",
                        userAgent ->
                            onSuccess(
                                streams.open(sessionId, Transport.WEBSOCKET, caller, userAgent),
                                opened ->
                                    opened.result() instanceof Connections.Accepted accepted
                                        ? complete(streams.webSocket(upgrade, accepted.connection(), opened))
                                        : refusedConnection((Connections.Refused) opened.result())))));
  }

  Route events(Caller caller, String sessionId) {
    if (!caller.mayJoin(sessionId)) {
      return forbidden(sessionId);
    }
    return optionalHeaderValueByName(
        "User-Agent",
        userAgent ->
            onSuccess(
                streams.open(sessionId, Transport.SSE, caller, userAgent),
                opened ->
                    opened.result() instanceof Connections.Accepted accepted
                        ? complete(
                            HttpResponse.create()
                                .withEntity(
                                    HttpEntities.createChunked(
                                        EVENT_STREAM, streams.events(accepted.connection(), opened))))
                        : refusedConnection((Connections.Refused) opened.result())));
  }

  Route refusedConnection(Connections.Refused refused) {
    return refused.shuttingDown()
        ? error(StatusCodes.SERVICE_UNAVAILABLE, "shutting_down", refused.message())
        : error(StatusCodes.TOO_MANY_REQUESTS, "connection_limit", refused.message());
  }

  /** Cross-site WebSocket hijacking guard: a browser's {@code Origin} must be allowed; non-browser clients send none. */
  Route allowedOrigin(java.util.function.Supplier<Route> inner) {
    return optionalHeaderValueByName(
        "Origin",
        origin ->
            optionalHeaderValueByName(
                "Host",
                host -> {
                  if (origin.isEmpty() || originAllowed(origin.get(), host)) {
                    return inner.get();
                  }
                  return error(StatusCodes.FORBIDDEN, "forbidden", "origin " + origin.get() + " is not allowed");
                }));
  }

  boolean originAllowed(String origin, Optional<String> host) {
    if (transport.allowedOrigins().contains("*") || transport.allowedOrigins().contains(origin)) {
      return true;
    }
    int scheme = origin.indexOf("://");
    return transport.allowedOrigins().isEmpty()
        && scheme > 0
        && host.isPresent()
        && origin.substring(scheme + 3).equalsIgnoreCase(host.get());
  }

  /** The one place that maps a session's receipt to HTTP: {@code ack} is 200, each refusal its status. */
  Route receipt(
      Caller caller, String sessionId, Function<ActorRef<ServerMessage.Receipt>, Session.Command> command) {
    if (!caller.mayJoin(sessionId)) {
      return forbidden(sessionId);
    }
    CompletionStage<ServerMessage.Receipt> receipt = sessions.ask(sessionId, command::apply, core.askTimeout());
    return onSuccess(
        receipt,
        result -> {
          if (result instanceof ServerMessage.Ack ack) {
            return json(StatusCodes.OK, ack);
          }
          ServerMessage.Error refused = (ServerMessage.Error) result;
          if (refused.code() == ErrorCode.INVALID_ANSWER) {
            return json(statusOf(refused.code()), HttpBodies.Error.invalidAnswer(refused.message(), refused.errors()));
          }
          return error(statusOf(refused.code()), refused.code().wireName(), refused.message());
        });
  }

  /** The HTTP status of a session's refusal of what a device sent. */
  private static StatusCode statusOf(ErrorCode refusal) {
    return switch (refusal) {
      case UNKNOWN_INTERACTION -> StatusCodes.NOT_FOUND;
      case ALREADY_CLOSED -> StatusCodes.CONFLICT;
      case FORBIDDEN -> StatusCodes.FORBIDDEN;
      case INVALID_ANSWER -> StatusCodes.UNPROCESSABLE_ENTITY;
      case RATE_LIMITED -> StatusCodes.TOO_MANY_REQUESTS;
      // Not a session's refusals: a malformed or oversized body is refused before it reaches one.
      case BAD_MESSAGE, TOO_LARGE, TOKEN_EXPIRED -> StatusCodes.BAD_REQUEST;
    };
  }

  /** The {@code POST}s of event-stream devices on one interaction: {@code answer}, {@code reject}, {@code shown}, {@code extend}. */
  Route posts(String sessionId, String interactionId) {
    return concat(
        path(
            "answer",
            () ->
                respondWith(
                    sessionId,
                    interactionId,
                    HttpBodies.Answer.class,
                    HttpBodies.Answer::connectionId,
                    (answer, connectionId) ->
                        new InteractionOutcome.Answered(withinPayloadLimit("value", answer.value()), connectionId))),
        path(
            "reject",
            () ->
                respondWith(
                    sessionId,
                    interactionId,
                    HttpBodies.Reject.class,
                    HttpBodies.Reject::connectionId,
                    (reject, connectionId) ->
                        new InteractionOutcome.Rejected(withinPayloadLimit("reason", reject.reason())))),
        path(
            "shown",
            () ->
                fromDevice(
                    sessionId,
                    HttpBodies.Shown.class,
                    HttpBodies.Shown::connectionId,
                    (shown, device) -> replyTo -> new Session.Shown(interactionId, device, replyTo, false))),
        path(
            "extend",
            () ->
                fromDevice(
                    sessionId,
                    HttpBodies.Extend.class,
                    HttpBodies.Extend::connectionId,
                    (extend, device) ->
                        replyTo ->
                            new Session.Extend(
                                interactionId, device, Duration.ofMillis(extend.byMs()), null, replyTo, false))));
  }
}
