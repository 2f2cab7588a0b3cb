package dev.interactions.transport.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.exceptions.AlgorithmMismatchException;
import com.auth0.jwt.exceptions.IncorrectClaimException;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.MissingClaimException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.auth0.jwt.interfaces.Verification;
import dev.interactions.transport.auth.AuthSettings.JwtSettings;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the bearer token of a request into a {@link Caller}. Thread-safe; build one at start-up and share it.
 *
 * <h2>Token format</h2>
 *
 * <p>In mode {@code jwt} every request carries {@code Authorization: Bearer <token>}, where the token is a standard
 * JWT (RFC 7519) in compact form, signed with the one algorithm configured in {@code orchestrator.auth.jwt.algorithm}:
 * HS256 (shared secret), RS256 or ES256 (the server holds the public key). A token whose {@code alg} header names
 * another algorithm, or {@code none}, is rejected. Claims:
 *
 * <ul>
 *   <li>{@code sub} (required): who the bearer is; logged, not used for decisions.
 *   <li>{@code exp} (required): expiry, seconds since the epoch. Tokens without {@code exp} are rejected.
 *   <li>{@code nbf}, {@code iat} (optional): the token is rejected before {@code nbf} or when issued in the future.
 *   <li>{@code iss} (checked when {@code orchestrator.auth.jwt.issuer} is set): must equal it.
 *   <li>{@code aud} (checked when {@code orchestrator.auth.jwt.audience} is set): must be it or an array containing it.
 *   <li>{@code sessions} (name set by {@code orchestrator.auth.jwt.sessions-claim}): JSON array of the session ids the
 *       bearer may join, that is connect to, see the interactions of and answer them; {@code ["*"]} grants every
 *       session. Missing means none.
 *   <li>{@code scope} (name set by {@code orchestrator.auth.jwt.scope-claim}): space-separated scopes (a JSON array of
 *       strings is accepted too). The scope {@code interactions:request} (set by {@code
 *       orchestrator.auth.jwt.requester-scope}) lets the bearer also request interactions of the sessions it may join;
 *       {@code interactions:metrics} ({@code orchestrator.auth.jwt.metrics-scope}) lets it read {@code GET /metrics}.
 *   <li>{@code roles} (name set by {@code orchestrator.auth.jwt.roles-claim}, optional): the bearer's roles, as scopes
 *       are written; an interaction may name roles among its answerers (see {@code docs/PROTOCOL.md}).
 * </ul>
 *
 * <p>A token with a {@code crit} header is rejected: it names extensions the verifier must understand, and this server
 * understands none (RFC 7515 §4.1.11).
 *
 * <p>{@code exp}, {@code nbf} and {@code iat} tolerate a clock skew of {@code orchestrator.auth.jwt.leeway} (30 s by
 * default). Example payload of a backend that requests interactions of any session:
 *
 * <pre>{@code {"sub": "billing-service", "sessions": ["*"], "scope": "interactions:request", "exp": 1767225600}}</pre>
 *
 * and of a browser that may answer the interactions of one session:
 *
 * <pre>{@code {"sub": "user-42", "sessions": ["checkout-7f3a"], "exp": 1767225600}}</pre>
 *
 * <p>In mode {@code none} no token is checked and every caller is {@link Caller#ANYONE}.
 */
public final class Authenticator {

  // RFC 6750 §2.1: the scheme is case-insensitive and the token is one run of non-space characters.
  private static final Pattern BEARER = Pattern.compile("^\\s*bearer\\s+(\\S+)\\s*$", Pattern.CASE_INSENSITIVE);

  private static final Logger log = LoggerFactory.getLogger(Authenticator.class);

  private final Optional<Jwt> jwt;

  private Authenticator(Optional<Jwt> jwt) {
    this.jwt = jwt;
  }

  /** The authenticator for {@code settings}: anyone in mode {@code none}, JWT verification in mode {@code jwt}. */
  public static Authenticator from(AuthSettings settings) {
    return new Authenticator(settings.jwt().map(Jwt::new));
  }

  /**
   * Authenticates the bearer of {@code token}.
   *
   * @param token the raw bearer token, without {@code "Bearer "}; empty when the request presented none
   * @return the caller; {@link Caller#ANYONE} in mode {@code none}, whatever the token
   * @throws AuthenticationFailed when the token is missing, malformed, badly signed, expired, not yet valid, for
   *     another issuer or audience, or lacks {@code sub} or {@code exp}
   */
  public Caller authenticate(Optional<String> token) {
    if (jwt.isEmpty()) {
      return Caller.ANYONE;
    }
    String raw = token.filter(t -> !t.isBlank()).orElseThrow(() -> new AuthenticationFailed("missing bearer token"));
    return jwt.get().caller(raw);
  }

  /**
   * Extracts the token from the value of an {@code Authorization} header.
   *
   * @param authorizationHeader the header value, e.g. {@code "Bearer eyJ..."}; the scheme is case-insensitive
   * @return the token, or empty when there is no header, or it is not a bearer credential
   */
  public static Optional<String> bearer(Optional<String> authorizationHeader) {
    return authorizationHeader.map(BEARER::matcher).filter(Matcher::matches).map(m -> m.group(1));
  }

  /** Verification of one configured key and the claim rules around it. */
  private static final class Jwt {

    private final JwtSettings settings;
    private final JWTVerifier verifier;
    private final AtomicBoolean malformedRolesSaid = new AtomicBoolean();

    Jwt(JwtSettings settings) {
      this.settings = settings;
      Verification verification = JWT.require(settings.verifier()).acceptLeeway(settings.leeway().toSeconds());
      settings.issuer().ifPresent(verification::withIssuer);
      settings.audience().ifPresent(verification::withAudience);
      this.verifier = verification.build();
    }

    Caller caller(String token) {
      DecodedJWT decoded = verify(token);
      // RFC 7515 §4.1.11: a token whose crit header names extensions the recipient does not understand must be
      // rejected. This server understands none, so any crit (even a malformed one) is refused.
      if (!decoded.getHeaderClaim("crit").isMissing()) {
        throw new AuthenticationFailed("token requires header extensions this server does not support (crit)");
      }
      // The library checks exp only when present; an unexpiring token would be a password that never rotates.
      if (decoded.getExpiresAtAsInstant() == null) {
        throw new AuthenticationFailed("token has no expiry (exp)");
      }
      String subject = decoded.getSubject();
      if (subject == null || subject.isBlank()) {
        throw new AuthenticationFailed("token has no subject (sub)");
      }
      Set<String> scopes = names(decoded, settings.scopeClaim());
      if (scopes == null) {
        throw new AuthenticationFailed("token claim " + settings.scopeClaim() + " must be a string or an array");
      }
      return new Caller(
          subject,
          sessions(decoded),
          scopes.contains(settings.requesterScope()),
          scopes.contains(settings.metricsScope()),
          roles(decoded),
          Optional.of(decoded.getExpiresAtAsInstant().plus(settings.leeway())));
    }

    private DecodedJWT verify(String token) {
      // Each message is our own and names at most a claim, never a value: see AuthenticationFailed.
      try {
        return verifier.verify(token);
      } catch (JWTDecodeException e) {
        throw new AuthenticationFailed("malformed token");
      } catch (AlgorithmMismatchException e) {
        throw new AuthenticationFailed("token algorithm is not " + settings.verifier().getName());
      } catch (SignatureVerificationException e) {
        throw new AuthenticationFailed("invalid token signature");
      } catch (TokenExpiredException e) {
        throw new AuthenticationFailed("token expired");
      } catch (IncorrectClaimException e) {
        throw new AuthenticationFailed(incorrect(e.getClaimName()));
      } catch (MissingClaimException e) {
        throw new AuthenticationFailed("token has no " + e.getClaimName() + " claim");
      } catch (JWTVerificationException e) {
        throw new AuthenticationFailed("invalid token");
      }
    }

    private static String incorrect(String claim) {
      return switch (claim) {
        case "nbf" -> "token not valid yet (nbf)";
        case "iat" -> "token issued in the future (iat)";
        case "iss" -> "token issuer not accepted (iss)";
        case "aud" -> "token audience not accepted (aud)";
        default -> "token claim " + claim + " not accepted";
      };
    }

    private Set<String> sessions(DecodedJWT decoded) {
      Claim claim = decoded.getClaim(settings.sessionsClaim());
      if (claim.isMissing() || claim.isNull()) {
        return Set.of();
      }
      List<String> sessions = strings(claim);
      if (sessions == null) {
        throw new AuthenticationFailed("token claim " + settings.sessionsClaim() + " must be an array of strings");
      }
      return Set.copyOf(sessions);
    }

    /**
     * The roles a token grants. A roles claim of another shape (some identity providers put objects there) counts as
     * none, rather than refusing the token for every call: it only keeps the bearer from answering interactions that
     * name roles. Said once, naming the claim, never its value.
     */
    private Set<String> roles(DecodedJWT decoded) {
      Set<String> roles = names(decoded, settings.rolesClaim());
      if (roles == null) {
        if (malformedRolesSaid.compareAndSet(false, true)) {
          log.warn(
              "token claim {} is neither a string nor an array of strings: such tokens hold no roles (set"
                  + " orchestrator.auth.jwt.roles-claim to the claim that lists them)",
              settings.rolesClaim());
        }
        return Set.of();
      }
      return roles;
    }

    /**
     * The names in claim {@code name}: space-separated in one string, or an array of strings (some identity providers,
     * Okta's {@code scp}, Azure's {@code roles}, issue them so); none when absent, null when it has another shape.
     */
    private static Set<String> names(DecodedJWT decoded, String name) {
      Claim claim = decoded.getClaim(name);
      if (claim.isMissing() || claim.isNull()) {
        return Set.of();
      }
      String spaced = claim.asString();
      if (spaced != null) {
        return spaced.isBlank() ? Set.of() : Set.copyOf(Arrays.asList(spaced.trim().split("\\s+")));
      }
      List<String> listed = strings(claim);
      return listed == null ? null : Set.copyOf(listed);
    }

    /** The claim as a list of strings, or null when it is not an array of strings. */
    private static List<String> strings(Claim claim) {
      try {
        List<String> values = claim.asList(String.class);
        return values == null || values.contains(null) ? null : values;
      } catch (JWTDecodeException e) {
        return null;
      }
    }
  }
}
