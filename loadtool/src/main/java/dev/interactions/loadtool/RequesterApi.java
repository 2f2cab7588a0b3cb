package dev.interactions.loadtool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** The requester side of the HTTP API (docs/PROTOCOL.md, "Requester API"): create, long-poll, cancel. */
final class RequesterApi {

  /**
   * The server holds a long poll at most {@code orchestrator.transport.max-wait} (60 s by default); asking for more is
   * capped by the server, so the tool never asks for more.
   */
  static final long MAX_WAIT_MS = 60_000;

  /** How long past the {@code waitMs} a response may take before the tool calls the request hung. */
  static final Duration RESPONSE_SLACK = Duration.ofSeconds(30);

  /**
   * A response. {@code body} is the interaction as a requester reads it when the status is 200 or 201, else the error
   * body (or an empty object when there was none).
   */
  record Reply(int status, JsonNode body) {

    /** True when the body is an interaction (200 or 201). */
    boolean isInteraction() {
      return (status == 200 || status == 201) && body.hasNonNull("id") && body.hasNonNull("status");
    }

    /** True when the interaction has ended. */
    boolean isFinal() {
      return isInteraction() && !body.path("status").asText().equals("pending");
    }

    String id() {
      return body.path("id").asText();
    }

    String outcome() {
      return body.path("status").asText();
    }

    /** {@code "<what>: <status> <code>"}, the kind of error this reply is. */
    String errorKind(String what) {
      String code = body.path("error").path("code").asText("");
      return what + ": " + status + (code.isEmpty() ? "" : " " + code);
    }
  }

  private final HttpClient http;
  private final URI base;
  private final Optional<String> bearerToken;
  private final ObjectMapper json;

  RequesterApi(HttpClient http, URI base, Optional<String> bearerToken, ObjectMapper json) {
    this.http = http;
    this.base = base;
    this.bearerToken = bearerToken;
    this.json = json;
  }

  /** {@code POST /v1/sessions/{s}/interactions}, with {@code ?waitMs=} when {@code waitMs > 0}. */
  Reply create(String sessionId, String body, long waitMs) throws IOException, InterruptedException {
    HttpRequest request =
        request(interactions(sessionId) + waitQuery(waitMs), waitMs)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return send(request);
  }

  /** {@code GET /v1/sessions/{s}/interactions/{id}?waitMs=}: the state once it ended or {@code waitMs} passed. */
  Reply read(String sessionId, String id, long waitMs) throws IOException, InterruptedException {
    return send(request(interactions(sessionId) + "/" + id + waitQuery(waitMs), waitMs).GET().build());
  }

  /** {@code DELETE /v1/sessions/{s}/interactions/{id}}: cancels it and returns its final state. */
  Reply cancel(String sessionId, String id) throws IOException, InterruptedException {
    return send(request(interactions(sessionId) + "/" + id, 0).DELETE().build());
  }

  private String interactions(String sessionId) {
    return base + "/v1/sessions/" + sessionId + "/interactions";
  }

  private static String waitQuery(long waitMs) {
    return waitMs > 0 ? "?waitMs=" + Math.min(waitMs, MAX_WAIT_MS) : "";
  }

  private HttpRequest.Builder request(String uri, long waitMs) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofMillis(Math.min(waitMs, MAX_WAIT_MS)).plus(RESPONSE_SLACK));
    bearerToken.ifPresent(token -> builder.header("Authorization", "Bearer " + token));
    return builder;
  }

  private Reply send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    JsonNode body;
    try {
      body = response.body().isEmpty() ? json.createObjectNode() : json.readTree(response.body());
    } catch (IOException e) {
      // An unparseable body is the server's fault, not the network's: report it as what it is.
      body = json.createObjectNode().set("error", json.createObjectNode().put("code", "unparseable body"));
    }
    return new Reply(response.statusCode(), body);
  }
}
