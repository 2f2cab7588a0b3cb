package dev.interactions.transport;

import dev.interactions.protocol.ErrorCode;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;

/**
 * A request body the server will not read: of the wrong media type, too large however it is framed, too slow to
 * arrive, or not UTF-8. It carries the response that says so; a body that was cut short or is still arriving also
 * closes the connection, since what follows on it cannot be trusted to start a new request.
 */
final class RequestBodyRefused extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient HttpResponse response;

  RequestBodyRefused(StatusCode status, String message) {
    this(status, ErrorResponses.codeOf(status), message, false);
  }

  RequestBodyRefused(StatusCode status, String code, String message, boolean closeConnection) {
    super(message, null, false, false);
    HttpResponse error = ErrorResponses.error(status, code, message);
    this.response = closeConnection ? error.addHeader(Connection.create("close")) : error;
  }

  /** What a failure ({@code cause}, unwrapped) to read a body whole within {@code timeout} and {@code maxBytes} means. */
  static RuntimeException of(Throwable cause, Duration timeout, long maxBytes) {
    if (cause instanceof TimeoutException) {
      return new RequestBodyRefused(
          StatusCodes.REQUEST_TIMEOUT,
          "request_timeout",
          "the request body did not arrive within " + timeout.toMillis() + " ms",
          true);
    } else if (cause instanceof EntityStreamSizeException || isTooLarge(cause)) {
      return new RequestBodyRefused(
          StatusCodes.PAYLOAD_TOO_LARGE,
          ErrorCode.TOO_LARGE.wireName(),
          "the request body is over the limit of " + maxBytes + " bytes",
          true);
    } else if (cause instanceof EntityStreamException malformed) {
      return new RequestBodyRefused(
          StatusCodes.BAD_REQUEST, "bad_request", "the request body is malformed: " + malformed.info().summary(), true);
    }
    return cause instanceof RuntimeException unexpected ? unexpected : new CompletionException(cause);
  }

  /**
   * Pekko reports a body over {@code toStrict}'s limit, or a chunk over {@code max-chunk-size}, as a plain {@link
   * EntityStreamException}; only its summary tells it apart from a malformed body.
   */
  private static boolean isTooLarge(Throwable cause) {
    if (!(cause instanceof EntityStreamException stream)) {
      return false;
    }
    String summary = stream.info().summary();
    return summary.startsWith("Request too large") || summary.contains("exceeds the configured limit");
  }

  /** The response to send. */
  HttpResponse response() {
    return response;
  }
}
