package dev.interactions.core;

import dev.interactions.protocol.Identifiers;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The one front door for requesting an interaction, used by the Java API and the HTTP API alike: it validates the
 * request, names the interaction, and asks the session to admit it. What differs between the two is only who hears the
 * outcome (a future's reference, or nobody for an HTTP requester, who reads it back).
 */
public final class InteractionAdmission {

  private final SessionDirectory sessions;
  private final OrchestratorSettings settings;

  /**
   * @param sessions where sessions are found
   * @param settings the limits that apply
   */
  public InteractionAdmission(SessionDirectory sessions, OrchestratorSettings settings) {
    this.sessions = sessions;
    this.settings = settings;
  }

  /** An interaction being admitted: its id, and the session's answer once its request is recorded (or refused). */
  public record Admitting(String interactionId, Duration timeout, CompletionStage<Session.Admission> admission) {}

  /**
   * Validates {@code request} and asks session {@code sessionId} to admit it; the outcome goes to the requester that
   * {@code requesterFor} makes for the latest deadline the interaction may reach (its own, or its extension limit).
   *
   * @throws dev.interactions.protocol.InvalidInputException naming the field if the id or the request is invalid
   */
  public Admitting admit(
      String sessionId, InteractionRequest request, Function<Duration, ActorRef<RequestResult>> requesterFor) {
    Duration timeout = validate(sessionId, request);
    String interactionId = UUID.randomUUID().toString();
    // The requester waits for as long as extensions may move the deadline.
    ActorRef<RequestResult> requester = requesterFor.apply(request.delivery().latest(timeout));
    CompletionStage<Session.Admission> admission =
        sessions.ask(
            sessionId,
            replyTo -> new Session.RequestInteraction(interactionId, request, timeout, requester, replyTo),
            settings.askTimeout());
    return new Admitting(interactionId, timeout, admission);
  }

  /**
   * The checks {@link #admit} makes before anything is sent: the session id first, then the request. Also for callers
   * that refuse the request afterwards anyway (a closed orchestrator), so that invalid input fails the same way.
   *
   * @return the interaction's deadline, validated
   * @throws dev.interactions.protocol.InvalidInputException naming the field if the id or the request is invalid
   */
  public Duration validate(String sessionId, InteractionRequest request) {
    Identifiers.require("sessionId", sessionId);
    return request.validate(settings);
  }
}
