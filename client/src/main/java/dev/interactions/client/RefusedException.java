package dev.interactions.client;

import dev.interactions.protocol.AnswerProblem;
import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.HttpBodies;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The server refused something: an HTTP error response ({@code {"error":{"code","message"}}}) or a WebSocket {@code
 * error} frame. It carries the wire's error {@link #code()} ({@code "bad_request"}, {@code "invalid_answer"}, {@code
 * "forbidden"}, …; see {@code docs/PROTOCOL.md}, "Errors"), the HTTP status when it came over HTTP, the server's message
 * as {@link #getMessage()}, and for {@code invalid_answer} each {@link #problems() problem} of the answer.
 *
 * <p>Codes this library does not know come through unchanged: treat them like any error of their HTTP status.
 */
public final class RefusedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String code;
  private final int httpStatus;
  private final String interactionId;
  private final List<AnswerProblem> problems;

  private RefusedException(String code, String message, int httpStatus, String interactionId, List<AnswerProblem> problems) {
    super(message);
    this.code = code;
    this.httpStatus = httpStatus;
    this.interactionId = interactionId;
    this.problems = problems == null ? List.of() : List.copyOf(problems);
  }

  /**
   * An HTTP error response. A body that is not the protocol's error (a proxy's page) leaves the code null and becomes
   * the message.
   */
  static RefusedException ofResponse(int status, String body) {
    try {
      HttpBodies.Error error = ClientCodec.read(body, HttpBodies.Error.class);
      if (error.error() != null && error.error().code() != null) {
        HttpBodies.Error.Detail detail = error.error();
        return new RefusedException(detail.code(), detail.message(), status, null, detail.errors());
      }
    } catch (IllegalArgumentException notTheProtocolsError) {
      // described below by the body itself
    }
    String text = body == null ? "" : body.strip();
    return new RefusedException(null, text.length() > 200 ? text.substring(0, 200) + "…" : text, status, null, null);
  }

  /** The wire's error code, e.g. {@code "invalid_answer"}; null when the response had no protocol error body. */
  public String code() {
    return code;
  }

  /** Whether the wire's code is {@code code}, e.g. {@code refused.is(ErrorCode.INVALID_ANSWER)}. */
  public boolean is(ErrorCode code) {
    return code.wireName().equals(this.code);
  }

  /** Whether the wire's code is {@code code}, e.g. {@code "bad_request"} (HTTP codes have no {@link ErrorCode}). */
  public boolean is(String code) {
    return code.equals(this.code);
  }

  /** The HTTP status, when the refusal came over HTTP (or as a refused WebSocket upgrade); empty for a frame. */
  public OptionalInt httpStatus() {
    return httpStatus == 0 ? OptionalInt.empty() : OptionalInt.of(httpStatus);
  }

  /** The interaction an {@code error} frame names, when it names one. */
  public Optional<String> interactionId() {
    return Optional.ofNullable(interactionId);
  }

  /** For {@code invalid_answer}: each way the answer does not fit the answer schema (JSON Pointer and message). */
  public List<AnswerProblem> problems() {
    return problems;
  }

  @Override
  public String toString() {
    return "RefusedException[" + (httpStatus == 0 ? "" : httpStatus + " ") + code + ": " + getMessage() + "]";
  }
}
