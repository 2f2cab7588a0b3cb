package dev.interactions.transport;

import dev.interactions.core.OrchestratorSettings;
import dev.interactions.core.SessionDirectory;
import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.HttpBodies;
import dev.interactions.protocol.InvalidInputException;
import dev.interactions.protocol.WireCodec;
import dev.interactions.transport.auth.Authenticator;
import dev.interactions.transport.auth.Caller;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.util.ByteString;

/**
 * What every route class of the HTTP API shares: the collaborators, and the plumbing (who calls, how long to wait, how
 * a JSON body is read, how a JSON response or error is written).
 */
abstract class RouteSupport extends AllDirectives {

  private static final String ACCESS_TOKEN = "access_token";

  final ActorSystem<?> system;
  final SessionDirectory sessions;
  final OrchestratorSettings core;
  final TransportSettings transport;
  final Authenticator authenticator;
  final Duration bodyTimeout;
  final long maxBodyBytes;

  RouteSupport(RouteSupport from) {
    this(from.system, from.sessions, from.core, from.transport, from.authenticator, from.bodyTimeout);
  }

  RouteSupport(
      ActorSystem<?> system,
      SessionDirectory sessions,
      OrchestratorSettings core,
      TransportSettings transport,
      Authenticator authenticator,
      Duration bodyTimeout) {
    this.system = system;
    this.sessions = sessions;
    this.core = core;
    this.transport = transport;
    this.authenticator = authenticator;
    this.bodyTimeout = bodyTimeout;
    this.maxBodyBytes = system.settings().config().getBytes("pekko.http.server.parsing.max-content-length");
  }

  /** Authenticates the caller; clients of a browser may pass the token as {@code access_token} (never logged). */
  Route caller(boolean tokenInQueryAllowed, Function<Caller, Route> inner) {
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
  Route waitMs(Duration absent, Function<Duration, Route> inner) {
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
  <T> Route body(Class<T> type, Function<T, Route> inner) {
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
  static String utf8(ByteString data) {
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

  Route forbidden(String sessionId) {
    return error(StatusCodes.FORBIDDEN, ErrorCode.FORBIDDEN.wireName(), "this token does not allow that on session " + sessionId);
  }

  Route json(StatusCode status, Object body) {
    return complete(ErrorResponses.json(status, body));
  }

  Route error(StatusCode status, String code, String message) {
    return json(status, HttpBodies.Error.of(code, message));
  }

  static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
  }

  static boolean isTimeout(Throwable failure) {
    return unwrap(failure) instanceof TimeoutException;
  }
}
