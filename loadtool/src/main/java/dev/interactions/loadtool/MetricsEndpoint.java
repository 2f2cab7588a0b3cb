package dev.interactions.loadtool;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/** The server's gauges read from its Prometheus scrape ({@code GET /metrics}). */
public final class MetricsEndpoint implements GaugeSource {

  private static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient http;
  private final URI uri;
  private final Optional<String> bearerToken;
  private final GaugeNames names;

  /**
   * @param uri the scrape address, e.g. {@code http://127.0.0.1:8080/metrics}
   * @param bearerToken sent as {@code Authorization: Bearer} when present, for servers that protect the scrape
   */
  public MetricsEndpoint(HttpClient http, URI uri, Optional<String> bearerToken, GaugeNames names) {
    this.http = http;
    this.uri = uri;
    this.bearerToken = bearerToken;
    this.names = names;
  }

  @Override
  public ServerGauges read() throws GaugesUnavailableException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(SCRAPE_TIMEOUT).GET();
    bearerToken.ifPresent(token -> request.header("Authorization", "Bearer " + token));
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new GaugesUnavailableException("GET " + uri + " failed (is the server running there?): " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GaugesUnavailableException("interrupted while reading " + uri, e);
    }
    if (response.statusCode() != 200) {
      throw new GaugesUnavailableException(
          "GET " + uri + " answered " + response.statusCode() + ": the server exports no Prometheus metrics there");
    }
    PrometheusScrape scrape;
    try {
      scrape = PrometheusScrape.parse(response.body());
    } catch (IllegalArgumentException e) {
      throw new GaugesUnavailableException(uri + " is not in the Prometheus text format: " + e.getMessage(), e);
    }
    return gauges(scrape, names, uri);
  }

  /** The gauges {@code names} picks out of {@code scrape}; {@code origin} names the scrape in errors. */
  static ServerGauges gauges(PrometheusScrape scrape, GaugeNames names, URI origin) throws GaugesUnavailableException {
    return new ServerGauges(
        required(scrape, names.sessionsAlive(), origin),
        required(scrape, names.connectionsAlive(), origin),
        required(scrape, names.pendingInteractions(), origin),
        optional(scrape.sum(names.heapAfterGcBytes())),
        optional(scrape.sum(names.threads())),
        optional(scrape.sum(names.openFileDescriptors())));
  }

  private static long required(PrometheusScrape scrape, String name, URI origin) throws GaugesUnavailableException {
    OptionalDouble value = scrape.sum(name);
    if (value.isEmpty()) {
      throw new GaugesUnavailableException(origin + " has no " + name + ": the leak check needs it");
    }
    return Math.round(value.getAsDouble());
  }

  private static OptionalLong optional(OptionalDouble value) {
    return value.isPresent() && Double.isFinite(value.getAsDouble())
        ? OptionalLong.of(Math.round(value.getAsDouble()))
        : OptionalLong.empty();
  }
}
