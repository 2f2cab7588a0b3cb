package dev.interactions.cli;

import dev.interactions.client.InteractionsClient;
import dev.interactions.client.RefusedException;
import dev.interactions.client.RetryPolicy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** Which server, as whom, and which session: the options every command takes. */
final class ServerOptions {

  @Option(
      names = "--url",
      paramLabel = "URL",
      converter = HttpUrl.class,
      defaultValue = "${env:ORCHESTRATOR_URL:-http://127.0.0.1:8080}",
      description = "the server (default: $ORCHESTRATOR_URL, or http://127.0.0.1:8080 without it)")
  private URI url;

  // No ${DEFAULT-VALUE} in the description: the usage must never print a token.
  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      defaultValue = "${env:ORCHESTRATOR_TOKEN}",
      description =
          "bearer token with the requester scope for the session, when the server has auth on (default:"
              + " $ORCHESTRATOR_TOKEN, which is better: a command line is visible to other users of the machine)")
  private String token;

  @Option(
      names = "--retry-for",
      paramLabel = "DURATION",
      converter = HumanDuration.class,
      defaultValue = "30s",
      description =
          "how long to keep trying when the server cannot be reached or answers 503 (it restarts, say): 90s, 2m, or"
              + " milliseconds; 0 tries once (default: ${DEFAULT-VALUE})")
  private Duration retryFor;

  @Option(
      names = "--session",
      paramLabel = "ID",
      required = true,
      converter = IdConverter.class,
      description = "the session: whose devices are asked, or that holds the interaction")
  private String session;

  String session() {
    return session;
  }

  /** A client of the server; the caller closes it. */
  InteractionsClient client() {
    InteractionsClient.Builder builder = InteractionsClient.builder(url).retry(RetryPolicy.within(retryFor));
    if (token != null && !token.isBlank()) {
      String bearer = token.strip();
      builder.token(() -> bearer);
    }
    return builder.build();
  }

  /**
   * The result of {@code call}, once it completed.
   *
   * @throws CallFailedException saying why, if the server refused it or could not be reached
   */
  <T> T await(CompletableFuture<T> call) {
    try {
      return call.join();
    } catch (CompletionException | CancellationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new CallFailedException(describe(cause), cause);
    }
  }

  private String describe(Throwable failure) {
    if (failure instanceof RefusedException refused) {
      String status = refused.httpStatus().isPresent() ? refused.httpStatus().getAsInt() + " " : "";
      String code = refused.code() != null ? refused.code() + ": " : "";
      return "the server refused: " + status + code + refused.getMessage();
    }
    if (failure instanceof HttpTimeoutException) {
      return url + " did not answer in time (" + failure.getMessage() + ")";
    }
    if (failure instanceof IOException) {
      // The JDK's HttpClient throws a ConnectException without a message when nothing accepts the connection.
      String detail =
          failure.getMessage() != null ? failure.getMessage() : "connection failed (" + failure.getClass().getSimpleName() + ")";
      return "cannot reach " + url + ": " + detail;
    }
    return "unexpected failure talking to " + url + ": " + failure;
  }

  /** An http:// or https:// URL. */
  static final class HttpUrl implements ITypeConverter<URI> {
    @Override
    public URI convert(String text) {
      try {
        URI uri = URI.create(text);
        if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
          return uri;
        }
      } catch (IllegalArgumentException e) {
        // falls through to the message below
      }
      throw new TypeConversionException("'" + text + "' is not an http:// or https:// URL");
    }
  }
}
