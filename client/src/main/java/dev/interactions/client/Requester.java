package dev.interactions.client;

import dev.interactions.protocol.HttpBodies;
import dev.interactions.protocol.Identifiers;
import dev.interactions.protocol.WhenNoDevice;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The requester side of the HTTP API ({@code docs/PROTOCOL.md}, "Requester API"): ask a session's person something and
 * read or wait for the outcome. Obtained from {@link InteractionsClient#requester()}; thread-safe.
 *
 * <p>Every call returns a future that completes with the server's answer, or fails with a {@link RefusedException}
 * (the wire's error code, HTTP status and message), with the I/O failure of the last attempt when the server could not
 * be reached (see {@link RetryPolicy}), or with a {@code CancellationException} once the client closed. Ids that do not
 * match the protocol's id pattern are refused at once with an {@code InvalidInputException}.
 */
public final class Requester {

  /**
   * How long {@link #createAndWait} and {@link #awaitClosed} ask the server to hold each long poll: below the 60 s idle
   * timeout of common load balancers and proxies (which would cut a poll held longer), and below the server's longest
   * wait ({@code orchestrator.transport.max-wait}, 60 s by default); a server configured shorter answers sooner, and the
   * next poll follows.
   */
  private static final Duration LONG_POLL = Duration.ofSeconds(50);

  private final RetryingHttp http;
  private final String sessions;
  private final Duration responseTimeout;

  /** @param responseTimeout how long a response may take, beyond the time the server was asked to hold it */
  Requester(RetryingHttp http, URI server, Duration responseTimeout) {
    this.http = http;
    this.sessions = server.toString().replaceAll("/+$", "") + "/v1/sessions/";
    this.responseTimeout = responseTimeout;
  }

  /**
   * Creates an interaction in session {@code sessionId}; every device of the session is shown it at once. The
   * future completes with its state (pending, unless it ended at once, e.g. {@code undelivered} with {@link
   * WhenNoDevice#FAIL}). Retries send the same idempotency key, so they create it at most once.
   */
  public CompletableFuture<InteractionState> create(String sessionId, InteractionRequest request) {
    return post(sessionId, request, Duration.ZERO);
  }

  /**
   * Creates an interaction and holds the response while it is pending, up to {@code wait} (the server holds it at most
   * its longest wait, 60 s by default): one request, which completes with the closed state when the interaction closed
   * within {@code wait}, else with the pending state. {@link #createAndWait} waits for the outcome however long it
   * takes; this is for a caller that sets its own bound, or follows with {@link #awaitClosed} or polls of its own. The
   * response may take {@code wait} plus the response timeout. Retries send the same idempotency key, as {@link #create}
   * does.
   */
  public CompletableFuture<InteractionState> create(String sessionId, InteractionRequest request, Duration wait) {
    return post(sessionId, request, wait);
  }

  /**
   * Creates an interaction and waits for its outcome: the create holds the response while it is pending (50 s at most),
   * then long polls follow until it closed, as {@link #awaitClosed} does. The future completes with the closed state, at
   * the latest when the interaction's deadline (as extended by devices) passes. Each request is retried on its own as
   * the {@link RetryPolicy} says.
   */
  public CompletableFuture<InteractionState> createAndWait(String sessionId, InteractionRequest request) {
    return post(sessionId, request, LONG_POLL).thenCompose(state -> untilClosed(sessionId, state));
  }

  /** The current state of interaction {@code interactionId}. */
  public CompletableFuture<InteractionState> get(String sessionId, String interactionId) {
    return await(sessionId, interactionId, Duration.ZERO);
  }

  /**
   * A long poll: the state once the interaction closed, or after {@code wait} if it is still pending then (the server
   * holds it at most its longest wait, 60 s by default; a proxy on the way may cut a request idle for longer than its
   * own timeout, 60 s on common load balancers). {@link Duration#ZERO} reads it at once.
   */
  public CompletableFuture<InteractionState> await(String sessionId, String interactionId, Duration wait) {
    return http.send(request(interaction(sessionId, interactionId) + waitQuery(wait), wait).GET())
        .thenApply(Requester::interaction);
  }

  /**
   * Waits for interaction {@code interactionId} to close, however long that takes: long polls of 50 s each, one after the
   * other, until one reads it closed (at once if it already was). The future completes with the closed state, at the
   * latest when the interaction's deadline (as extended by devices) passes. Each poll is retried on its own as the {@link
   * RetryPolicy} says: one that fails after the server held it for a while still has the policy's whole time budget.
   */
  public CompletableFuture<InteractionState> awaitClosed(String sessionId, String interactionId) {
    return await(sessionId, interactionId, LONG_POLL).thenCompose(state -> untilClosed(sessionId, state));
  }

  /**
   * Cancels interaction {@code interactionId} (its devices are told it closed as {@code cancelled}); the future completes
   * with its final state, which is unchanged if it had already closed.
   */
  public CompletableFuture<InteractionState> cancel(String sessionId, String interactionId) {
    return http.send(request(interaction(sessionId, interactionId), Duration.ZERO).DELETE())
        .thenApply(Requester::interaction);
  }

  /**
   * A page of the session's closed interactions, oldest first; its {@code next} is the cursor of the following page
   * ({@link HistoryQuery#after}), null on the last. Needs the server's durable store ({@code 501 history_unavailable}
   * otherwise).
   */
  public CompletableFuture<HttpBodies.History> history(String sessionId, HistoryQuery query) {
    return http.send(request(interactions(sessionId) + query.queryString(), Duration.ZERO).GET())
        .thenApply(response -> read(response, HttpBodies.History.class));
  }

  private CompletableFuture<InteractionState> post(String sessionId, InteractionRequest request, Duration wait) {
    String key = request.idempotencyKey() != null ? request.idempotencyKey() : UUID.randomUUID().toString();
    String body = ClientCodec.write(request.body(key));
    return http.send(
            request(interactions(sessionId) + waitQuery(wait), wait)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)))
        .thenApply(Requester::interaction);
  }

  private CompletableFuture<InteractionState> untilClosed(String sessionId, InteractionState state) {
    return state.isPending()
        ? await(sessionId, state.id(), LONG_POLL).thenCompose(next -> untilClosed(sessionId, next))
        : CompletableFuture.completedFuture(state);
  }

  private String interactions(String sessionId) {
    return sessions + Identifiers.require("sessionId", sessionId) + "/interactions";
  }

  private String interaction(String sessionId, String interactionId) {
    return interactions(sessionId) + "/" + Identifiers.require("interactionId", interactionId);
  }

  private HttpRequest.Builder request(String uri, Duration wait) {
    return HttpRequest.newBuilder(URI.create(uri)).timeout(wait.plus(responseTimeout));
  }

  private static String waitQuery(Duration wait) {
    return wait.isZero() ? "" : "?waitMs=" + wait.toMillis();
  }

  private static InteractionState interaction(HttpResponse<String> response) {
    return new InteractionState(read(response, HttpBodies.Interaction.class));
  }

  /** A success's body as {@code type}; any other status is the server's refusal. */
  private static <T> T read(HttpResponse<String> response, Class<T> type) {
    int status = response.statusCode();
    if (status != 200 && status != 201) {
      throw RefusedException.ofResponse(status, response.body());
    }
    return ClientCodec.read(response.body(), type);
  }
}
