package dev.interactions.transport.auth;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who is calling, after authentication, and what they may do.
 *
 * @param subject who the caller is (the token's {@code sub}); for logs and audit, never for decisions
 * @param sessions the session ids the caller may join; {@value #ALL_SESSIONS} stands for every session
 * @param requester whether the caller may request interactions (of the sessions it may join)
 * @param metricsReader whether the caller may read the server's metrics ({@code GET /metrics})
 * @param roles the roles its token grants (the claim {@code orchestrator.auth.jwt.roles-claim}), which interactions
 *     may name as their answerers; none with auth off
 * @param validUntil when the caller's token stops being accepted (its {@code exp} plus the leeway); empty when nothing
 *     expires (auth off)
 */
public record Caller(
    String subject,
    Set<String> sessions,
    boolean requester,
    boolean metricsReader,
    Set<String> roles,
    Optional<Instant> validUntil) {

  /** The entry of {@link #sessions} that grants every session. */
  public static final String ALL_SESSIONS = "*";

  /** The caller when auth mode is {@code none}: may join every session, request interactions and read the metrics. */
  public static final Caller ANYONE = new Caller("anonymous", Set.of(ALL_SESSIONS), true, true, Set.of(), Optional.empty());

  /** Checks the components and keeps immutable copies of {@code sessions} and {@code roles}. */
  public Caller {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(validUntil, "validUntil");
    sessions = Set.copyOf(sessions);
    roles = Set.copyOf(roles);
  }

  /**
   * The subject its token proved, for the audit of what it answers; empty with auth off, where nobody is proved anyone
   * ({@link #ANYONE}'s "anonymous" is a placeholder, not a subject).
   */
  public Optional<String> verifiedSubject() {
    return this == ANYONE ? Optional.empty() : Optional.of(subject);
  }

  /** Whether its identity is proved: with auth off nobody's is, and interactions cannot name their answerers. */
  public boolean isVerified() {
    return this != ANYONE;
  }

  /** Whether the caller may connect to session {@code sessionId}, see its interactions and answer them. */
  public boolean mayJoin(String sessionId) {
    if (sessionId == null) {
      return false;
    }
    return sessions.contains(ALL_SESSIONS) || sessions.contains(sessionId);
  }

  /** Whether the caller may request interactions of session {@code sessionId}: a requester that may join it. */
  public boolean mayRequest(String sessionId) {
    return requester && mayJoin(sessionId);
  }
}
