package dev.interactions.transport;

import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.HttpBodies;
import dev.interactions.protocol.WireCodec;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;

/**
 * The one place that turns an HTTP status into the documented JSON error body, {@code
 * {"error":{"code":…,"message":…}}}, whether the error comes from our routes, from route rejections, or from Pekko
 * HTTP's own request parser. The codes are part of the wire contract (docs/PROTOCOL.md).
 */
public final class ErrorResponses {

  private ErrorResponses() {}

  /** A JSON response with {@code body}. */
  public static HttpResponse json(StatusCode status, Object body) {
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, WireCodec.write(body)));
  }

  /** The JSON error body with an explicit {@code code}. */
  public static HttpResponse error(StatusCode status, String code, String message) {
    return json(status, HttpBodies.Error.of(code, message));
  }

  /** The JSON error body with the code that {@code status} has when nothing more specific applies. */
  public static HttpResponse error(StatusCode status, String message) {
    return error(status, codeOf(status), message);
  }

  /** The error code for a status when nothing more specific applies. */
  static String codeOf(StatusCode status) {
    return switch (status.intValue()) {
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 408 -> "request_timeout";
      case 413 -> ErrorCode.TOO_LARGE.wireName();
      case 414 -> "uri_too_long";
      case 415 -> "unsupported_media_type";
      case 431 -> "headers_too_large";
      case 501 -> "not_implemented";
      case 503 -> "unavailable";
      case 505 -> "http_version_not_supported";
      default -> status.intValue() >= 500 ? "internal_error" : "bad_request";
    };
  }
}
