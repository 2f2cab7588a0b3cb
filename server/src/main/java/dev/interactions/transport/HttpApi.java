package dev.interactions.transport;

import dev.interactions.api.Orchestrator;
import dev.interactions.health.Health;
import dev.interactions.persistence.JdbcStore;
import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.HttpBodies;
import dev.interactions.protocol.Identifiers;
import dev.interactions.protocol.InvalidInputException;
import dev.interactions.transport.auth.AuthenticationFailed;
import dev.interactions.transport.auth.Authenticator;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.CacheControl;
import org.apache.pekko.http.javadsl.model.headers.CacheDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The HTTP surface of the server, one path table: WebSocket and SSE endpoints for devices ({@link DeviceRoutes}), the
 * requester API ({@link RequesterRoutes}), health, the demo page and the metrics. Every response body is JSON, every
 * error is {@code {"error":{"code":…,"message":…}}} with the status that fits. See {@code docs/PROTOCOL.md}.
 */
public final class HttpApi extends RouteSupport {

  /**
   * TypeScript declarations ({@code client.d.ts}); Pekko knows no type for the extension and would send
   * application/octet-stream.
   */
  private static final ContentType TYPESCRIPT =
      MediaTypes.applicationWithOpenCharset("typescript").toContentType(HttpCharsets.UTF_8);

  private final Health health;
  private final DeviceRoutes devices;
  private final RequesterRoutes requesters;

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
    super(orchestrator.system(), orchestrator.sessions(), orchestrator.settings(), transport, authenticator, bodyTimeout);
    this.health = health;
    this.devices = new DeviceRoutes(this, streams);
    this.requesters = new RequesterRoutes(this, store, orchestrator.admission());
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
                                pathSingleSlash(() -> get(() -> webAsset(getFromResource("web/index.html")))),
                                path("client.js", () -> get(() -> webAsset(getFromResource("web/client.js")))),
                                path("client.d.ts", () -> get(() -> webAsset(getFromResource("web/client.d.ts", TYPESCRIPT)))),
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

  /**
   * The demo page, the browser client and its types, served from the jar; no build step, no CDN. Cached briefly,
   * revalidated.
   */
  private Route webAsset(Route resource) {
    return respondWithHeader(CacheControl.create(CacheDirectives.PUBLIC, CacheDirectives.MAX_AGE(300)), () -> resource);
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
        pathEndOrSingleSlash(() -> get(() -> caller(true, caller -> requesters.readSession(caller, sessionId)))),
        path("ws", () -> get(() -> caller(true, caller -> devices.webSocket(caller, sessionId)))),
        path("events", () -> get(() -> caller(true, caller -> devices.events(caller, sessionId)))),
        pathPrefix("interactions", () -> interactions(sessionId)),
        pathPrefix("elicitations", () -> elicitations(sessionId)));
  }

  /** MCP elicitation (see {@link Elicitations}): create and wait, then read back, each waiting the longest by default. */
  private Route elicitations(String sessionId) {
    return concat(
        pathEndOrSingleSlash(
            () ->
                post(
                    () ->
                        caller(
                            false,
                            caller -> waitMs(transport.maxWait(), waitMs -> requesters.elicit(caller, sessionId, waitMs))))),
        path(
            interactionId ->
                withValidId(
                    interactionId,
                    () ->
                        get(
                            () ->
                                caller(
                                    false,
                                    caller ->
                                        waitMs(
                                            transport.maxWait(),
                                            waitMs -> requesters.readElicitation(caller, sessionId, interactionId, waitMs)))))));
  }

  private Route interactions(String sessionId) {
    return concat(
        pathEndOrSingleSlash(
            () ->
                concat(
                    post(() -> caller(false, caller -> waitMs(Duration.ZERO, waitMs -> requesters.create(caller, sessionId, waitMs)))),
                    get(() -> caller(false, caller -> requesters.history(caller, sessionId))))),
        pathPrefix(interactionId -> withValidId(interactionId, () -> interaction(sessionId, interactionId))));
  }

  private Route interaction(String sessionId, String interactionId) {
    return concat(
        pathEndOrSingleSlash(
            () ->
                concat(
                    get(
                        () ->
                            caller(
                                false,
                                caller ->
                                    waitMs(Duration.ZERO, waitMs -> requesters.read(caller, sessionId, interactionId, waitMs)))),
                    delete(() -> caller(false, caller -> requesters.cancel(caller, sessionId, interactionId))))),
        devices.posts(sessionId, interactionId));
  }

  private Route withValidId(String interactionId, java.util.function.Supplier<Route> inner) {
    return Identifiers.isValid(interactionId)
        ? inner.get()
        : error(StatusCodes.BAD_REQUEST, "bad_request", "id: must match [A-Za-z0-9._:-]{1,128}");
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
