package dev.interactions.transport;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers requests that Pekko HTTP's parser refuses before any route sees them (a request-target that is too long or
 * malformed, too many or too large headers, an unsupported HTTP version or transfer encoding) with the documented JSON
 * error body instead of Pekko's {@code text/plain} one. Installed as {@code pekko.http.server.parsing.error-handler}.
 *
 * <p>It logs at DEBUG only, and only the error's summary: the detail quotes the raw request line, which may hold an
 * {@code access_token}, and a malformed request is the client's problem, not the operator's (a WARN per bad request
 * would let anyone fill the log).
 */
public final class MalformedRequestResponder extends ParsingErrorHandler {

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo error, LoggingAdapter log, ServerSettings settings) {
    if (log.isDebugEnabled()) {
      log.debug("refused a malformed request with {}: {}", status.intValue(), error.summary());
    }
    return ErrorResponses.error(status, error.summary().isEmpty() ? status.reason() : error.summary());
  }
}
