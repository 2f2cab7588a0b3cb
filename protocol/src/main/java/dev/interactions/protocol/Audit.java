package dev.interactions.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * Who answered an interaction and when, as the server saw it: the answering token's {@code subject} (absent with auth
 * off), the {@code connectionId} and {@code transport} it came through, the device's {@code userAgent}, when the
 * interaction was first shown and when it was answered, and the times between request, showing and answer. Never what a
 * client claimed: an unverified connection id is not recorded. Fields that do not apply are absent. For an interaction
 * that needed several approvals, {@code approvals} holds one audit per approval, oldest first.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Audit(
    String subject,
    String connectionId,
    String transport,
    String userAgent,
    Instant shownAt,
    Instant answeredAt,
    Long timeToShowMs,
    Long timeToAnswerMs,
    List<Audit> approvals) {

  /** An audit of one answer, or of no answer at all. */
  public Audit(
      String subject,
      String connectionId,
      String transport,
      String userAgent,
      Instant shownAt,
      Instant answeredAt,
      Long timeToShowMs,
      Long timeToAnswerMs) {
    this(subject, connectionId, transport, userAgent, shownAt, answeredAt, timeToShowMs, timeToAnswerMs, null);
  }

  /** This audit, with {@code approvals}: one audit per approval of an interaction that needed several. */
  public Audit withApprovals(List<Audit> approvals) {
    return new Audit(
        subject, connectionId, transport, userAgent, shownAt, answeredAt, timeToShowMs, timeToAnswerMs, List.copyOf(approvals));
  }
}
