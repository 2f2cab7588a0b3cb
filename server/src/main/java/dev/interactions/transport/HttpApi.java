package dev.interactions.transport;

import dev.interactions.api.Orchestrator;
import dev.interactions.core.InteractionAdmission;
import dev.interactions.core.InteractionLookup;
import dev.interactions.core.InteractionOutcome;
import dev.interactions.core.DeliveryTerms;
import dev.interactions.core.InteractionRequest;
import dev.interactions.core.WhenNoDevice;
import dev.interactions.core.InteractionStatus;
import dev.interactions.core.OrchestratorSettings;
import dev.interactions.core.RequestRefused;
import dev.interactions.core.Session;
import dev.interactions.core.SessionDirectory;
import dev.interactions.core.SessionState;
import dev.interactions.core.UnreadableInteraction;
import dev.interactions.health.Health;
import dev.interactions.persistence.JdbcStore;
import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.HttpBodies;
import dev.interactions.protocol.Identifiers;
import dev.interactions.protocol.InvalidInputException;
import dev.interactions.protocol.OutcomeCode;
import dev.interactions.protocol.ServerMessage;
import dev.interactions.protocol.WireCodec;
import dev.interactions.transport.auth.AuthenticationFailed;
import dev.interactions.transport.auth.Authenticator;
import dev.interactions.transport.auth.Caller;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.CacheControl;
import org.apache.pekko.http.javadsl.model.headers.CacheDirectives;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.util.ByteString;

/**
 * The HTTP surface of the server: WebSocket and SSE endpoints for clients, the requester API, and health. Every response
 * body is JSON, every error is {@code {"error":{"code":…,"message":…}}} with the status that fits. See {@code
 * docs/PROTOCOL.md}.
 */
public final class HttpApi extends AllDirectives {

  private static final String ACCESS_TOKEN = "access_token";
  private static final ContentType EVENT_STREAM = ContentTypes.create(MediaTypes.TEXT_EVENT_STREAM);

  private final ActorSystem<?> system;
  private final SessionDirectory sessions;
  private final OrchestratorSettings core;
  private final TransportSettings transport;
  private final Authenticator authenticator;
  private final ClientStreams streams;
  private final Health health;
  private final Optional<JdbcStore> store;
  private final InteractionAdmission admissions;
  private final Duration bodyTimeout;
  private final long maxBodyBytes;

  /**
   * @param orchestrator the orchestrator whose sessions are served
   * @param transport transport bounds and timings
   * @param authenticator who may do what
   * @param streams builds client streams
   * @param health what {@code /health/ready} reports
   * @param store the durable store, if sessions are durable: it serves the history of closed interactions
   * @param bodyTimeout how long a request body may take to arrive once its head is in
   */
  public HttpApi(
      Orchestrator orchestrator,
      TransportSettings transport,
      Authenticator authenticator,
      ClientStreams streams,
      Health health,
      Optional<JdbcStore> store,
      Duration bodyTimeout) {
    this.system = orchestrator.system();
    this.sessions = orchestrator.sessions();
    this.core = orchestrator.settings();
    this.transport = transport;
    this.authenticator = authenticator;
    this.streams = streams;
    this.health = health;
    this.store = store;
    this.admissions = orchestrator.admission();
    this.bodyTimeout = bodyTimeout;
    this.maxBodyBytes = system.settings().config().getBytes("pekko.http.server.parsing.max-content-length");
  }

  /** All routes, with JSON errors for every rejection, failure and request timeout. */
  public Route routes() {
    return withRequestTimeoutResponse(
        request ->
            ErrorResponses.error(StatusCodes.SERVICE_UNAVAILABLE, "unavailable", "the request took too long to answer"),
        () ->
            handleExceptions(
                exceptions(),
                () ->
                    handleRejections(
                        rejections(),
                        () ->
                            concat(
                                pathSingleSlash(() -> get(() -> webAsset("web/index.html"))),
                                path("client.js", () -> get(() -> webAsset("web/client.js"))),
                                pathPrefix("health", this::health),
                                pathPrefix("v1", () -> pathPrefix("sessions", () -> pathPrefix(this::session)))))));
  }

  /**
   * {@code GET /metrics} serving {@code scrape}: open with auth off (loopback only), otherwise for a bearer token (in the
   * header) carrying the metrics scope: 401 without a valid token, 403 without the scope.
   */
  public Route metrics(Route scrape) {
    return path(
        "metrics",
        () ->
            get(
                () ->
                    handleExceptions(
                        exceptions(),
                        () ->
                            caller(
                                false,
                                caller ->
                                    caller.metricsReader()
                                        ? scrape
                                        : error(StatusCodes.FORBIDDEN, ErrorCode.FORBIDDEN.wireName(), "this token does not allow reading the metrics")))));
  }

  /** The demo page and browser client, served from the jar; no build step, no CDN. Cached briefly, revalidated. */
  private Route webAsset(String resource) {
    return respondWithHeader(
        CacheControl.create(CacheDirectives.PUBLIC, CacheDirectives.MAX_AGE(300)), () -> getFromResource(resource));
  }

  /** Liveness is the process answering; readiness is every registered check passing (503 otherwise). */
  private Route health() {
    return get(
        () ->
            concat(
                path("live", () -> json(StatusCodes.OK, new HttpBodies.Health("live"))),
                path(
                    "ready",
                    () ->
                        onSuccess(
                            health.ready(),
                            report -> json(report.takesTraffic() ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, report)))));
  }

  private Route session(String sessionId) {
    if (!Identifiers.isValid(sessionId)) {
      return error(StatusCodes.BAD_REQUEST, "bad_request", "sessionId: must match [A-Za-z0-9._:-]{1,128}");
    }
    return concat(
        pathEndOrSingleSlash(() -> get(() -> caller(true, caller -> readSession(caller, sessionId)))),
        path("ws", () -> get(() -> caller(true, caller -> webSocket(caller, sessionId)))),
        path("events", () -> get(() -> caller(true, caller -> events(caller, sessionId)))),
        pathPrefix("interactions", () -> interactions(sessionId)),
        pathPrefix("elicitations", () -> elicitations(sessionId)));
  }

  /** MCP elicitation (see {@link Elicitations}): create and wait, then read back, each waiting the longest by default. */
  private Route elicitations(String sessionId) {
    return concat(
        pathEndOrSingleSlash(
            () -> post(() -> caller(false, caller -> waitMs(transport.maxWait(), waitMs -> elicit(caller, sessionId, waitMs))))),
        path(
            interactionId ->
                Identifiers.isValid(interactionId)
                    ? get(
                        () ->
                            caller(
                                false,
                                caller ->
                                    waitMs(
                                        transport.maxWait(),
                                        waitMs -> readElicitation(caller, sessionId, interactionId, waitMs))))
                    : error(StatusCodes.BAD_REQUEST, "bad_request", "id: must match [A-Za-z0-9._:-]{1,128}")));
  }

  private Route interactions(String sessionId) {
    return concat(
        pathEndOrSingleSlash(
            () ->
                concat(
                    post(() -> caller(false, caller -> waitMs(Duration.ZERO, waitMs -> create(caller, sessionId, waitMs)))),
                    get(() -> caller(false, caller -> history(caller, sessionId))))),
        pathPrefix(
            interactionId ->
                Identifiers.isValid(interactionId)
                    ? interaction(sessionId, interactionId)
                    : error(StatusCodes.BAD_REQUEST, "bad_request", "id: must match [A-Za-z0-9._:-]{1,128}")));
  }

  private Route interaction(String sessionId, String interactionId) {
    return concat(
        pathEndOrSingleSlash(
            () ->
                concat(
                    get(() -> caller(false, caller -> waitMs(Duration.ZERO, waitMs -> read(caller, sessionId, interactionId, waitMs)))),
                    delete(() -> caller(false, caller -> cancel(caller, sessionId, interactionId))))),
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
                    (shown, connectionId) ->
                        replyTo -> new Session.Shown(interactionId, connectionId, replyTo, false))),
        path(
            "extend",
            () ->
                fromDevice(
                    sessionId,
                    HttpBodies.Extend.class,
                    HttpBodies.Extend::connectionId,
                    (extend, connectionId) ->
                        replyTo ->
                            new Session.Extend(
                                interactionId, connectionId, Duration.ofMillis(extend.byMs()), null, replyTo, false))));
  }

  /** {@code POST …/answer} and {@code …/reject}: the body becomes a client response, as if sent over a WebSocket. */
  private <T> Route respondWith(
      String sessionId,
      String interactionId,
      Class<T> bodyType,
      Function<T, String> connectionIdOf,
      BiFunction<T, String, InteractionOutcome.Response> response) {
    return fromDevice(
        sessionId,
        bodyType,
        connectionIdOf,
        (body, answeredBy) ->
            replyTo -> new Session.Respond(interactionId, answeredBy, response.apply(body, answeredBy), null, replyTo));
  }

  /**
   * {@code POST}s of event-stream devices ({@code answer}, {@code reject}, {@code shown}, {@code extend}): the body
   * becomes the session command {@code command} makes for the connection it names ({@code http:<subject>} if none),
   * as if sent over a WebSocket, and the session's receipt the response.
   */
  private <T> Route fromDevice(
      String sessionId,
      Class<T> bodyType,
      Function<T, String> connectionIdOf,
      BiFunction<T, String, Function<ActorRef<ServerMessage.Receipt>, Session.Command>> command) {
    return post(
        () ->
            caller(
                false,
                caller ->
                    body(
                        bodyType,
                        body -> {
                          String connectionId = connectionIdOf.apply(body);
                          String device = connectionId != null ? connectionId : "http:" + caller.subject();
                          return receipt(caller, sessionId, command.apply(body, device));
                        })));
  }

  /** Answers and reasons sent over HTTP get the bound a payload gets, as they would inside a WebSocket message. */
  private <T> T withinPayloadLimit(String field, T value) {
    if (value != null && MessageReader.utf8Length(value.toString()) > core.maxPayloadBytes()) {
      throw new InvalidInputException(field, "is over the limit of " + core.maxPayloadBytes() + " bytes");
    }
    return value;
  }

  // --- clients ---------------------------------------------------------------------------------------------------

  private Route webSocket(Caller caller, String sessionId) {
    if (!caller.mayJoin(sessionId)) {
      return forbidden(sessionId);
    }
    // Only a real upgrade request gets a connection actor: a plain GET is rejected before anything is spawned.
    return extractWebSocketUpgrade(
        upgrade ->
            allowedOrigin(
                () ->
                    onSuccess(
                        streams.open(sessionId, Transport.WEBSOCKET, caller.validUntil()),
                        opened ->
                            opened.result() instanceof Connections.Accepted accepted
                                ? complete(streams.webSocket(upgrade, accepted.connection(), opened))
                                : refusedConnection((Connections.Refused) opened.result()))));
  }

  private Route events(Caller caller, String sessionId) {
    if (!caller.mayJoin(sessionId)) {
      return forbidden(sessionId);
    }
    return onSuccess(
        streams.open(sessionId, Transport.SSE, caller.validUntil()),
        opened ->
            opened.result() instanceof Connections.Accepted accepted
                ? complete(
                    HttpResponse.create()
                        .withEntity(
                            HttpEntities.createChunked(
                                EVENT_STREAM, streams.events(accepted.connection(), opened))))
                : refusedConnection((Connections.Refused) opened.result()));
  }

  private Route refusedConnection(Connections.Refused refused) {
    return refused.shuttingDown()
        ? error(StatusCodes.SERVICE_UNAVAILABLE, "shutting_down", refused.message())
        : error(StatusCodes.TOO_MANY_REQUESTS, "connection_limit", refused.message());
  }

  /** Cross-site WebSocket hijacking guard: a browser's {@code Origin} must be allowed; non-browser clients send none. */
  private Route allowedOrigin(java.util.function.Supplier<Route> inner) {
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

  private boolean originAllowed(String origin, Optional<String> host) {
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
  private Route receipt(
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
            return json(
                StatusCodes.UNPROCESSABLE_ENTITY, HttpBodies.Error.invalidAnswer(refused.message(), refused.errors()));
          }
          StatusCode status =
              refused.code() == ErrorCode.UNKNOWN_INTERACTION
                  ? StatusCodes.NOT_FOUND
                  : refused.code() == ErrorCode.ALREADY_CLOSED ? StatusCodes.CONFLICT : StatusCodes.TOO_MANY_REQUESTS;
          return error(status, refused.code().wireName(), refused.message());
        });
  }

  private Route readSession(Caller caller, String sessionId) {
    if (!caller.mayJoin(sessionId) && !caller.mayRequest(sessionId)) {
      return forbidden(sessionId);
    }
    CompletionStage<SessionState> state = sessions.ask(sessionId, Session.GetState::new, core.askTimeout());
    return onSuccess(
        state,
        s -> json(StatusCodes.OK, new HttpBodies.Session(s.sessionId(), s.connections(), s.pending(), s.node())));
  }

  // --- requesters ------------------------------------------------------------------------------------------------

  private Route create(Caller caller, String sessionId, Duration waitMs) {
    if (!caller.mayRequest(sessionId)) {
      return forbidden(sessionId);
    }
    return body(
        HttpBodies.CreateInteraction.class,
        body -> admitAndAwait(sessionId, requestOf(body), waitMs, this::status));
  }

  private static InteractionRequest requestOf(HttpBodies.CreateInteraction body) {
    return new InteractionRequest(
        body.kind(),
        body.payload(),
        millis(body.timeoutMs()),
        Optional.ofNullable(body.idempotencyKey()),
        Optional.ofNullable(body.answerSchema()),
        new DeliveryTerms(
            millis(body.deliveryTimeoutMs()),
            millis(body.maxTimeoutMs()),
            Optional.ofNullable(body.whenNoDevice()).map(name -> WhenNoDevice.named("whenNoDevice", name))));
  }

  private static Optional<Duration> millis(Long millis) {
    return Optional.ofNullable(millis).map(Duration::ofMillis);
  }

  /** {@code POST …/elicitations}: a {@code form} interaction, answered with MCP's result once it ends. */
  private Route elicit(Caller caller, String sessionId, Duration waitMs) {
    if (!caller.mayRequest(sessionId)) {
      return forbidden(sessionId);
    }
    return body(
        HttpBodies.Elicit.class,
        body -> {
          try {
            return admitAndAwait(sessionId, Elicitations.request(body), waitMs, this::elicitation);
          } catch (InvalidInputException invalid) {
            throw Elicitations.renamed(invalid);
          }
        });
  }

  private Route readElicitation(Caller caller, String sessionId, String interactionId, Duration waitMs) {
    if (!caller.mayRequest(sessionId)) {
      return forbidden(sessionId);
    }
    return awaitOutcome(sessionId, interactionId, waitMs, StatusCodes.ACCEPTED, this::elicitation);
  }

  /** MCP's result once the interaction ended; while it is pending, {@code 202} with the interaction to read it back. */
  private Route elicitation(InteractionStatus status, StatusCode pendingStatus) {
    return status.isPending()
        ? status(status, StatusCodes.ACCEPTED)
        : json(StatusCodes.OK, Elicitations.result(status));
  }

  /**
   * The one path from a requester's HTTP request to its interaction: admits it (an HTTP requester reads the outcome
   * back: nobody is told it), then waits up to {@code waitMs} for its outcome; {@code render} writes the response.
   */
  private Route admitAndAwait(
      String sessionId, InteractionRequest request, Duration waitMs, BiFunction<InteractionStatus, StatusCode, Route> render) {
    CompletionStage<Session.Admission> admission =
        admissions.admit(sessionId, request, timeout -> system.ignoreRef()).admission();
    return onSuccess(
        admission,
        result -> {
          if (result instanceof RequestRefused refused) {
            return refusal(refused);
          }
          Session.Admitted admitted = (Session.Admitted) result;
          StatusCode pendingStatus = admitted.created() ? StatusCodes.CREATED : StatusCodes.OK;
          if (!admitted.status().isPending() || waitMs.isZero()) {
            return render.apply(admitted.status(), admitted.status().isPending() ? pendingStatus : StatusCodes.OK);
          }
          return awaitOutcome(sessionId, admitted.status().interaction().id(), waitMs, pendingStatus, render);
        });
  }

  /** {@code GET /v1/sessions/{sessionId}/interactions?status=&limit=&after=}: closed interactions, from the journal. */
  private Route history(Caller caller, String sessionId) {
    if (!caller.mayRequest(sessionId)) {
      return forbidden(sessionId);
    }
    if (store.isEmpty()) {
      return error(
          StatusCodes.NOT_IMPLEMENTED,
          "history_unavailable",
          "the history of closed interactions needs the durable store (orchestrator.persistence.store = jdbc)");
    }
    JdbcStore jdbc = store.get();
    return parameterOptional(
        "status",
        status ->
            parameterOptional(
                "limit",
                limit ->
                    parameterOptional(
                        "after",
                        after ->
                            onSuccess(
                                jdbc.history(
                                    sessionId,
                                    status.map(HttpApi::outcomeCode),
                                    limit.map(HttpApi::historyLimit).orElse(jdbc.settings().historyMaxLimit()),
                                    after.map(HttpApi::cursor)),
                                page -> json(StatusCodes.OK, HttpRepresentation.of(sessionId, page))))));
  }

  private static OutcomeCode outcomeCode(String status) {
    for (OutcomeCode code : OutcomeCode.values()) {
      if (code.wireName().equals(status)) {
        return code;
      }
    }
    throw new InvalidInputException(
        "status", "must be one of answered, rejected, cancelled, expired, disconnected, shutdown");
  }

  private static int historyLimit(String limit) {
    try {
      int value = Integer.parseInt(limit);
      if (value > 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidInputException("limit", "must be a positive whole number");
  }

  private static long cursor(String after) {
    try {
      long value = Long.parseLong(after);
      if (value >= 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidInputException("after", "must be a cursor returned as \"next\" by a previous page");
  }

  private Route read(Caller caller, String sessionId, String interactionId, Duration waitMs) {
    if (!caller.mayRequest(sessionId)) {
      return forbidden(sessionId);
    }
    return awaitOutcome(sessionId, interactionId, waitMs, StatusCodes.OK, this::status);
  }

  private Route cancel(Caller caller, String sessionId, String interactionId) {
    if (!caller.mayRequest(sessionId)) {
      return forbidden(sessionId);
    }
    sessions.tell(sessionId, new Session.CancelInteraction(interactionId));
    // Sent after the cancel through the same directory, so it reads the interaction once the cancel was handled.
    return lookup(
        sessions.ask(
            sessionId,
            (ActorRef<InteractionLookup> replyTo) -> new Session.GetInteraction(interactionId, true, replyTo),
            core.askTimeout()),
        StatusCodes.OK,
        this::status);
  }

  /** Long-polls for the outcome up to {@code waitMs}, then answers with whatever the state is. */
  private Route awaitOutcome(
      String sessionId,
      String interactionId,
      Duration waitMs,
      StatusCode pendingStatus,
      BiFunction<InteractionStatus, StatusCode, Route> render) {
    CompletionStage<InteractionLookup> outcome =
        waitMs.isZero()
            ? readNow(sessionId, interactionId)
            : sessions
                .ask(
                    sessionId,
                    (ActorRef<InteractionLookup> replyTo) -> new Session.GetInteraction(interactionId, true, replyTo),
                    waitMs)
                .exceptionallyCompose(
                    failure ->
                        isTimeout(failure) ? readNow(sessionId, interactionId) : CompletableFuture.failedStage(failure));
    return lookup(outcome, pendingStatus, render);
  }

  private CompletionStage<InteractionLookup> readNow(String sessionId, String interactionId) {
    return sessions.ask(
        sessionId,
        (ActorRef<InteractionLookup> replyTo) -> new Session.GetInteraction(interactionId, false, replyTo),
        core.askTimeout());
  }

  private Route lookup(
      CompletionStage<InteractionLookup> lookup,
      StatusCode pendingStatus,
      BiFunction<InteractionStatus, StatusCode, Route> render) {
    return onSuccess(
        lookup,
        found -> {
          if (found instanceof InteractionStatus status) {
            return render.apply(status, status.isPending() ? pendingStatus : StatusCodes.OK);
          } else if (found instanceof UnreadableInteraction unreadable) {
            return error(StatusCodes.SERVICE_UNAVAILABLE, "unavailable", unreadable.reason());
          }
          return error(
              StatusCodes.NOT_FOUND, ErrorCode.UNKNOWN_INTERACTION.wireName(), "no such interaction in this session");
        });
  }

  private Route status(InteractionStatus status, StatusCode code) {
    return json(code, HttpRepresentation.of(status));
  }

  private Route refusal(RequestRefused refused) {
    return switch (refused.reason()) {
      case SHUTTING_DOWN -> error(StatusCodes.SERVICE_UNAVAILABLE, "shutting_down", refused.message());
      case UNAVAILABLE -> error(StatusCodes.SERVICE_UNAVAILABLE, "unavailable", refused.message());
      case DUPLICATE_ID -> error(StatusCodes.CONFLICT, "duplicate_id", refused.message());
      default -> error(StatusCodes.TOO_MANY_REQUESTS, refused.reason().name().toLowerCase(), refused.message());
    };
  }

  // --- plumbing ----------------------------------------------------------------------------------------------------

  /** Authenticates the caller; clients of a browser may pass the token as {@code access_token} (never logged). */
  private Route caller(boolean tokenInQueryAllowed, Function<Caller, Route> inner) {
    return optionalHeaderValueByName(
        "Authorization",
        header ->
            parameterOptional(
                ACCESS_TOKEN,
                queryToken -> {
                  Optional<String> token = Authenticator.bearer(header);
                  if (token.isEmpty() && tokenInQueryAllowed) {
                    token = queryToken;
                  }
                  return inner.apply(authenticator.authenticate(token));
                }));
  }

  /** The {@code waitMs} query parameter, {@code absent} when there is none, capped at the longest wait. */
  private Route waitMs(Duration absent, Function<Duration, Route> inner) {
    return parameterOptional(
        "waitMs",
        raw -> {
          long millis;
          try {
            millis = raw.map(Long::parseLong).orElse(absent.toMillis());
          } catch (NumberFormatException e) {
            throw new InvalidInputException("waitMs", "must be a whole number of milliseconds");
          }
          if (millis < 0) {
            throw new InvalidInputException("waitMs", "must not be negative");
          }
          return inner.apply(Duration.ofMillis(Math.min(millis, transport.maxWait().toMillis())));
        });
  }

  /**
   * Reads a JSON body: {@code application/json} (a body without a {@code Content-Type} is read as JSON too), at most
   * {@code pekko.http.server.parsing.max-content-length} bytes however it is framed, arriving within the body timeout,
   * in valid UTF-8. A body that arrived whole is read as it is: Pekko's {@code toStrictEntity} would run a stream for it
   * anyway (its strict entity only short-cuts the one-argument {@code toStrict}), a cost on every request.
   */
  private <T> Route body(Class<T> type, Function<T, Route> inner) {
    return extractEntity(
        entity -> {
          MediaType mediaType = entity.getContentType().mediaType();
          if (!mediaType.equals(MediaTypes.APPLICATION_JSON) && !mediaType.equals(MediaTypes.APPLICATION_OCTET_STREAM)) {
            throw new RequestBodyRefused(
                StatusCodes.UNSUPPORTED_MEDIA_TYPE, "the body must be application/json, not " + mediaType);
          }
          if (entity instanceof HttpEntity.Strict strict) {
            return inner.apply(WireCodec.read(utf8(strict.getData()), type));
          }
          return extractMaterializer(
              materializer ->
                  onSuccess(
                      entity
                          .toStrict(bodyTimeout.toMillis(), maxBodyBytes, materializer)
                          .exceptionally(
                              failure -> {
                                throw RequestBodyRefused.of(unwrap(failure), bodyTimeout, maxBodyBytes);
                              }),
                      read -> inner.apply(WireCodec.read(utf8(read.getData()), type))));
        });
  }

  /** The body as text, refusing what is not UTF-8 (a replacement character would silently change an answer). */
  private static String utf8(ByteString data) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(data.asByteBuffer())
          .toString();
    } catch (CharacterCodingException e) {
      throw new RequestBodyRefused(
          StatusCodes.BAD_REQUEST, ErrorCode.BAD_MESSAGE.wireName(), "the body is not valid UTF-8", false);
    }
  }

  private Route forbidden(String sessionId) {
    return error(StatusCodes.FORBIDDEN, ErrorCode.FORBIDDEN.wireName(), "this token does not allow that on session " + sessionId);
  }

  private Route json(StatusCode status, Object body) {
    return complete(ErrorResponses.json(status, body));
  }

  private Route error(StatusCode status, String code, String message) {
    return json(status, HttpBodies.Error.of(code, message));
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
  }

  private static boolean isTimeout(Throwable failure) {
    return unwrap(failure) instanceof TimeoutException;
  }

  private ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder().matchAny(failure -> complete(failureResponse(unwrap(failure)))).build();
  }

  private HttpResponse failureResponse(Throwable failure) {
    if (failure instanceof InvalidInputException invalid) {
      return ErrorResponses.error(StatusCodes.BAD_REQUEST, "bad_request", invalid.getMessage());
    } else if (failure instanceof AuthenticationFailed unauthenticated) {
      return ErrorResponses.error(StatusCodes.UNAUTHORIZED, "unauthorized", unauthenticated.getMessage());
    } else if (failure instanceof RequestBodyRefused refused) {
      return refused.response();
    } else if (failure instanceof TimeoutException) {
      return ErrorResponses.error(StatusCodes.SERVICE_UNAVAILABLE, "unavailable", "the session did not answer in time");
    }
    system.log().error("request failed", failure);
    return ErrorResponses.error(StatusCodes.INTERNAL_SERVER_ERROR, "internal_error", "unexpected error");
  }

  private RejectionHandler rejections() {
    return RejectionHandler.defaultHandler()
        .mapRejectionResponse(
            response -> {
              if (response.entity().getContentType().equals(ContentTypes.APPLICATION_JSON)) {
                return response;
              }
              String message =
                  response.entity() instanceof HttpEntity.Strict strict
                      ? strict.getData().utf8String()
                      : response.status().reason();
              return ErrorResponses.error(response.status(), message);
            });
  }
}
