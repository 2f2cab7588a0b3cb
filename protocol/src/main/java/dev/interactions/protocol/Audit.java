package dev.interactions.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * Who answered an interaction and when, as the server saw it: the answering token's {@code subject} (absent with auth
 * off), the {@code connectionId} and {@code transport} it came through, the device's {@code userAgent}, when the
 * interaction was first shown and when it was answered, and the times between request, showing and answer. Never what a
 * client claimed: an unverified connection id is not recorded. Fields that do not apply are absent.
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
    Long timeToAnswerMs) {}
