package dev.interactions.transport;

import dev.interactions.core.Answerers;
import dev.interactions.core.DeliveryTerms;
import dev.interactions.core.Device;
import dev.interactions.core.InteractionAdmission;
import dev.interactions.core.InteractionLookup;
import dev.interactions.core.InteractionRequest;
import dev.interactions.core.InteractionStatus;
import dev.interactions.core.RequestRefused;
import dev.interactions.core.Session;
import dev.interactions.core.SessionState;
import dev.interactions.core.UnreadableInteraction;
import dev.interactions.persistence.JdbcStore;
import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.HttpBodies;
import dev.interactions.protocol.InvalidInputException;
import dev.interactions.protocol.OutcomeCode;
import dev.interactions.protocol.WhenNoDevice;
import dev.interactions.transport.auth.Caller;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The requester API: create (and wait), read and long-poll, cancel, the history, the session's state, and MCP
 * elicitations. Every request goes through the one front door ({@link InteractionAdmission}).
 */
final class RequesterRoutes extends RouteSupport {

  private final Optional<JdbcStore> store;
  private final InteractionAdmission admissions;

  RequesterRoutes(RouteSupport shared, Optional<JdbcStore> store, InteractionAdmission admissions) {
    super(shared);
    this.store = store;
    this.admissions = admissions;
  }

  Route readSession(Caller caller, String sessionId) {
    if (!caller.mayJoin(sessionId) && !caller.mayRequest(sessionId)) {
      return forbidden(sessionId);
    }
    // A device reads the session as it is sent it: not what is hidden from it, read-only what it may not answer.
    Device viewer =
        caller.mayRequest(sessionId) ? null : Device.httpCaller(caller.verifiedSubject().orElse(null), caller.roles(), null);
    CompletionStage<SessionState> state =
        sessions.ask(sessionId, replyTo -> new Session.GetState(viewer, replyTo), core.askTimeout());
    return onSuccess(
        state,
        s -> json(StatusCodes.OK, new HttpBodies.Session(s.sessionId(), s.connections(), s.pending(), s.node())));
  }

  // --- requesters ------------------------------------------------------------------------------------------------

  Route create(Caller caller, String sessionId, Duration waitMs) {
    if (!caller.mayRequest(sessionId)) {
      return forbidden(sessionId);
    }
    return body(
        HttpBodies.CreateInteraction.class,
        body -> admitAndAwait(sessionId, requestOf(body, caller), waitMs, this::status));
  }

  /** The request a create body makes, for {@code caller}: the requester whose own answer {@code allowSelfAnswer} refuses. */
  static InteractionRequest requestOf(HttpBodies.CreateInteraction body, Caller caller) {
    return new InteractionRequest(
        body.kind(),
        body.payload(),
        millis(body.timeoutMs()),
        Optional.ofNullable(body.idempotencyKey()),
        Optional.ofNullable(body.answerSchema()),
        new DeliveryTerms(
            millis(body.deliveryTimeoutMs()),
            millis(body.maxTimeoutMs()),
            Optional.ofNullable(body.whenNoDevice()).map(name -> WhenNoDevice.named("whenNoDevice", name))),
        body.approvals() == null ? 1 : body.approvals().required(),
        answerers(body, caller));
  }

  /**
   * Who may answer what a create body requests. Naming answerers, or refusing the requester's own answer, needs proved
   * identities: with auth off nobody's is, so such a request is refused rather than left unenforced.
   */
  private static Answerers answerers(HttpBodies.CreateInteraction body, Caller caller) {
    boolean selfAnswerRefused = Boolean.FALSE.equals(body.allowSelfAnswer());
    if (!caller.isVerified() && (body.answerers() != null || selfAnswerRefused)) {
      throw new InvalidInputException(
          body.answerers() != null ? "answerers" : "allowSelfAnswer",
          "needs authentication (orchestrator.auth.mode = jwt): with auth off nobody's identity is proved, so who may"
              + " answer cannot be enforced");
    }
    Answerers answerers =
        body.answerers() == null
            ? Answerers.ANYONE
            : Answerers.only(body.answerers().subjects(), body.answerers().roles());
    if (selfAnswerRefused) {
      answerers = answerers.excluding(caller.subject());
    }
    return body.visibility() == null
        ? answerers
        : answerers.seenBy(Answerers.Visibility.named("visibility", body.visibility()));
  }

  static Optional<Duration> millis(Long millis) {
    return Optional.ofNullable(millis).map(Duration::ofMillis);
  }

  /** {@code POST …/elicitations}: a {@code form} interaction, answered with MCP's result once it ends. */
  Route elicit(Caller caller, String sessionId, Duration waitMs) {
    if (!caller.mayRequest(sessionId)) {
      return forbidden(sessionId);
    }
    return body(
        HttpBodies.Elicit.class,
        body -> {
          try {
            return admitAndAwait(sessionId, Elicitations.request(body), waitMs, this::elicitation);
          } catch (InvalidInputException invalid) {
            throw Elicitations.renamed(invalid);
          }
        });
  }

  Route readElicitation(Caller caller, String sessionId, String interactionId, Duration waitMs) {
    if (!caller.mayRequest(sessionId)) {
      return forbidden(sessionId);
    }
    return awaitOutcome(sessionId, interactionId, waitMs, StatusCodes.ACCEPTED, this::elicitation);
  }

  /** MCP's result once the interaction ended; while it is pending, {@code 202} with the interaction to read it back. */
  Route elicitation(InteractionStatus status, StatusCode pendingStatus) {
    return status.isPending()
        ? status(status, StatusCodes.ACCEPTED)
        : json(StatusCodes.OK, Elicitations.result(status));
  }

  /**
   * The one path from a requester's HTTP request to its interaction: admits it (an HTTP requester reads the outcome
   * back: nobody is told it), then waits up to {@code waitMs} for its outcome; {@code render} writes the response.
   */
  Route admitAndAwait(
      String sessionId, InteractionRequest request, Duration waitMs, BiFunction<InteractionStatus, StatusCode, Route> render) {
    CompletionStage<Session.Admission> admission =
        admissions.admit(sessionId, request, timeout -> system.ignoreRef()).admission();
    return onSuccess(
        admission,
        result -> {
          if (result instanceof RequestRefused refused) {
            return refusal(refused);
          }
          Session.Admitted admitted = (Session.Admitted) result;
          StatusCode pendingStatus = admitted.created() ? StatusCodes.CREATED : StatusCodes.OK;
          if (!admitted.status().isPending() || waitMs.isZero()) {
            return render.apply(admitted.status(), admitted.status().isPending() ? pendingStatus : StatusCodes.OK);
          }
          return awaitOutcome(sessionId, admitted.status().interaction().id(), waitMs, pendingStatus, render);
        });
  }

  /** {@code GET /v1/sessions/{sessionId}/interactions?status=&limit=&after=}: closed interactions, from the journal. */
  Route history(Caller caller, String sessionId) {
    if (!caller.mayRequest(sessionId)) {
      return forbidden(sessionId);
    }
    if (store.isEmpty()) {
      return error(
          StatusCodes.NOT_IMPLEMENTED,
          "history_unavailable",
          "the history of closed interactions needs the durable store (orchestrator.persistence.store = jdbc)");
    }
    JdbcStore jdbc = store.get();
    return parameterOptional(
        "status",
        status ->
            parameterOptional(
                "limit",
                limit ->
                    parameterOptional(
                        "after",
                        after ->
                            onSuccess(
                                jdbc.history(
                                    sessionId,
                                    status.map(RequesterRoutes::outcomeCode),
                                    limit.map(RequesterRoutes::historyLimit).orElse(jdbc.settings().historyMaxLimit()),
                                    after.map(RequesterRoutes::cursor)),
                                page -> json(StatusCodes.OK, HttpRepresentation.of(sessionId, page))))));
  }

  static OutcomeCode outcomeCode(String status) {
    for (OutcomeCode code : OutcomeCode.values()) {
      if (code.wireName().equals(status)) {
        return code;
      }
    }
    throw new InvalidInputException(
        "status", "must be one of answered, rejected, cancelled, expired, disconnected, shutdown, undelivered");
  }

  static int historyLimit(String limit) {
    try {
      int value = Integer.parseInt(limit);
      if (value > 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidInputException("limit", "must be a positive whole number");
  }

  static long cursor(String after) {
    try {
      long value = Long.parseLong(after);
      if (value >= 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidInputException("after", "must be a cursor returned as \"next\" by a previous page");
  }

  Route read(Caller caller, String sessionId, String interactionId, Duration waitMs) {
    if (!caller.mayRequest(sessionId)) {
      return forbidden(sessionId);
    }
    return awaitOutcome(sessionId, interactionId, waitMs, StatusCodes.OK, this::status);
  }

  Route cancel(Caller caller, String sessionId, String interactionId) {
    if (!caller.mayRequest(sessionId)) {
      return forbidden(sessionId);
    }
    sessions.tell(sessionId, new Session.CancelInteraction(interactionId));
    // Sent after the cancel through the same directory, so it reads the interaction once the cancel was handled.
    return lookup(
        sessions.ask(
            sessionId,
            (ActorRef<InteractionLookup> replyTo) -> new Session.GetInteraction(interactionId, true, replyTo),
            core.askTimeout()),
        StatusCodes.OK,
        this::status);
  }

  /** Long-polls for the outcome up to {@code waitMs}, then answers with whatever the state is. */
  Route awaitOutcome(
      String sessionId,
      String interactionId,
      Duration waitMs,
      StatusCode pendingStatus,
      BiFunction<InteractionStatus, StatusCode, Route> render) {
    CompletionStage<InteractionLookup> outcome =
        waitMs.isZero()
            ? readNow(sessionId, interactionId)
            : sessions
                .ask(
                    sessionId,
                    (ActorRef<InteractionLookup> replyTo) -> new Session.GetInteraction(interactionId, true, replyTo),
                    waitMs)
                .exceptionallyCompose(
                    failure ->
                        isTimeout(failure) ? readNow(sessionId, interactionId) : CompletableFuture.failedStage(failure));
    return lookup(outcome, pendingStatus, render);
  }

  CompletionStage<InteractionLookup> readNow(String sessionId, String interactionId) {
    return sessions.ask(
        sessionId,
        (ActorRef<InteractionLookup> replyTo) -> new Session.GetInteraction(interactionId, false, replyTo),
        core.askTimeout());
  }

  Route lookup(
      CompletionStage<InteractionLookup> lookup,
      StatusCode pendingStatus,
      BiFunction<InteractionStatus, StatusCode, Route> render) {
    return onSuccess(
        lookup,
        found -> {
          if (found instanceof InteractionStatus status) {
            return render.apply(status, status.isPending() ? pendingStatus : StatusCodes.OK);
          } else if (found instanceof UnreadableInteraction unreadable) {
            return error(StatusCodes.SERVICE_UNAVAILABLE, "unavailable", unreadable.reason());
          }
          return error(
              StatusCodes.NOT_FOUND, ErrorCode.UNKNOWN_INTERACTION.wireName(), "no such interaction in this session");
        });
  }

  Route status(InteractionStatus status, StatusCode code) {
    return json(code, HttpRepresentation.of(status));
  }

  Route refusal(RequestRefused refused) {
    return switch (refused.reason()) {
      case SHUTTING_DOWN -> error(StatusCodes.SERVICE_UNAVAILABLE, "shutting_down", refused.message());
      case UNAVAILABLE -> error(StatusCodes.SERVICE_UNAVAILABLE, "unavailable", refused.message());
      case DUPLICATE_ID -> error(StatusCodes.CONFLICT, "duplicate_id", refused.message());
      default -> error(StatusCodes.TOO_MANY_REQUESTS, refused.reason().name().toLowerCase(), refused.message());
    };
  }
}
