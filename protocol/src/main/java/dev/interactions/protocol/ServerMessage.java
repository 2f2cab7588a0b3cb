package dev.interactions.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.List;

/**
 * Everything the server sends to a client (WebSocket frames, Server-Sent Events, in-process listeners). The JSON
 * {@code type} property names the variant; see {@code docs/PROTOCOL.md}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ServerMessage.Welcome.class, name = "welcome"),
  @JsonSubTypes.Type(value = ServerMessage.Interaction.class, name = "interaction"),
  @JsonSubTypes.Type(value = ServerMessage.Synced.class, name = "synced"),
  @JsonSubTypes.Type(value = ServerMessage.Closed.class, name = "closed"),
  @JsonSubTypes.Type(value = ServerMessage.Ack.class, name = "ack"),
  @JsonSubTypes.Type(value = ServerMessage.Error.class, name = "error"),
  @JsonSubTypes.Type(value = ServerMessage.Pong.class, name = "pong"),
  @JsonSubTypes.Type(value = ServerMessage.Shown.class, name = "shown"),
  @JsonSubTypes.Type(value = ServerMessage.Extended.class, name = "extended"),
  @JsonSubTypes.Type(value = ServerMessage.Progress.class, name = "progress")
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface ServerMessage {

  /** The reply to a client's answer or rejection: accepted ({@link Ack}) or refused ({@link Error}). */
  sealed interface Receipt extends ServerMessage permits Ack, Error {}

  /** First message on every connection. */
  record Welcome(int protocol, String sessionId, String connectionId, long heartbeatMs) implements ServerMessage {}

  /**
   * An interaction waiting for an answer; sent when it is requested and replayed to every connection that attaches.
   * {@code answerSchema} is present when the request carried one (always for the {@code form} kind): the answer must fit
   * it. {@code extendableUntil} is present when {@code extend} can move the deadline, up to that instant. {@code
   * shownBy} and {@code shownAt} are present once a device reported it on screen. {@code readOnly} is {@code true}
   * when the receiving device may see it but not answer it (absent otherwise).
   */
  record Interaction(
      String id,
      String kind,
      RawJson payload,
      Instant requestedAt,
      Instant expiresAt,
      RawJson answerSchema,
      Instant extendableUntil,
      String shownBy,
      Instant shownAt,
      Boolean readOnly)
      implements ServerMessage {

    public Interaction {
      if (Boolean.FALSE.equals(readOnly)) {
        readOnly = null; // one way to say "may answer": the field's absence
      }
    }

    /** An interaction without an answer schema of its own, not extendable, not shown yet. */
    public Interaction(String id, String kind, RawJson payload, Instant requestedAt, Instant expiresAt) {
      this(id, kind, payload, requestedAt, expiresAt, null, null, null, null, null);
    }

    /** This interaction as a device that may see it but not answer it gets it. */
    public Interaction asReadOnly() {
      return new Interaction(
          id, kind, payload, requestedAt, expiresAt, answerSchema, extendableUntil, shownBy, shownAt, true);
    }
  }

  /**
   * Sent once per connection right after the pending interactions were replayed (an addition to protocol 1): from here
   * on the client's list of pending interactions is exactly what it was sent, so a reconnecting client drops any prompt
   * that closed while it was away.
   */
  record Synced(int pending) implements ServerMessage {}

  /** An interaction ended; clients retract its prompt. */
  record Closed(String id, OutcomeCode outcome) implements ServerMessage {}

  /** An answer or rejection was accepted; {@code ref} echoes the client's tag. */
  record Ack(String id, String ref) implements Receipt {}

  /**
   * Something the client sent was refused; {@code id} and {@code ref} are present when known, {@code errors} for an
   * {@link ErrorCode#INVALID_ANSWER}.
   */
  record Error(ErrorCode code, String message, String id, String ref, List<AnswerProblem> errors)
      implements Receipt {

    /** A refusal with no list of problems. */
    public Error(ErrorCode code, String message, String id, String ref) {
      this(code, message, id, ref, null);
    }

    /** An error about a message that named no interaction. */
    public static Error of(ErrorCode code, String message) {
      return new Error(code, message, null, null);
    }
  }

  /** The reply to a client's {@code ping}. */
  record Pong() implements ServerMessage {}

  /** Interaction {@code id} was first shown on connection {@code by}; sent to every connection of the session. */
  record Shown(String id, String by) implements ServerMessage {}

  /** Interaction {@code id}'s deadline moved out to {@code expiresAt}; sent to every connection of the session. */
  record Extended(String id, Instant expiresAt) implements ServerMessage {}

  /** Interaction {@code id}, which needs {@code required} approvals, has {@code approvals} of them now. */
  record Progress(String id, int approvals, int required) implements ServerMessage {}
}
