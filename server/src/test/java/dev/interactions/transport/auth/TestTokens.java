package dev.interactions.transport.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValueFactory;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * Mints tokens and builds auth configuration for tests, here and in the server's integration tests. Tokens use the
 * default claim names of {@code reference.conf} and live for an hour unless they are meant to be expired.
 */
public final class TestTokens {

  /** A secret long enough for HS256, for tests that need one and do not care which. */
  public static final String SECRET = "test-only-hs256-secret-0123456789abcdef";

  /** The scope that makes a token's bearer a requester, as configured by default. */
  public static final String REQUESTER_SCOPE = "interactions:request";

  private static final Duration LIFETIME = Duration.ofHours(1);

  private TestTokens() {}

  /** Configuration in mode {@code jwt} verifying HS256 tokens signed with {@code secret}; everything else default. */
  public static Config config(String secret) {
    return withAuth(withAuth(reference(), "mode", "jwt"), "jwt.secret", secret);
  }

  /** A token that may join {@code sessions} (use {@code "*"} for all) but not request interactions. */
  public static String client(String secret, String subject, String... sessions) {
    return claims(subject).withArrayClaim("sessions", sessions).sign(hs256(secret));
  }

  /** A token that may join and request interactions of every session, as a backend's would. */
  public static String requester(String secret, String subject) {
    return requesterFor(secret, subject, Caller.ALL_SESSIONS);
  }

  /** A token that may join and request interactions of {@code sessions} only. */
  public static String requesterFor(String secret, String subject, String... sessions) {
    return claims(subject)
        .withArrayClaim("sessions", sessions)
        .withClaim("scope", REQUESTER_SCOPE)
        .sign(hs256(secret));
  }

  /** A client token for {@code sessions} that expired an hour ago, well past any leeway. */
  public static String expired(String secret, String subject, String... sessions) {
    Instant issued = Instant.now().minus(LIFETIME.multipliedBy(2));
    return JWT.create()
        .withSubject(subject)
        .withIssuedAt(issued)
        .withExpiresAt(issued.plus(LIFETIME))
        .withArrayClaim("sessions", sessions)
        .sign(hs256(secret));
  }

  /** {@code sub}, {@code iat} = now and {@code exp} = in an hour, for tests that add claims of their own and sign. */
  public static JWTCreator.Builder claims(String subject) {
    Instant now = Instant.now();
    return JWT.create().withSubject(subject).withIssuedAt(now).withExpiresAt(now.plus(LIFETIME));
  }

  /** The HS256 signer of {@code secret}. */
  public static Algorithm hs256(String secret) {
    return Algorithm.HMAC256(secret.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code key} as PEM text, the form {@code orchestrator.auth.jwt.public-key} takes. */
  public static String pem(PublicKey key) {
    Base64.Encoder encoder = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    return "-----BEGIN PUBLIC KEY-----\n" + encoder.encodeToString(key.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
  }

  /**
   * The server's own reference.conf with its defaults. Resolved without the environment, so that a developer's own
   * {@code ORCHESTRATOR_*} variables cannot change what the tests see.
   */
  static Config reference() {
    return ConfigFactory.parseResourcesAnySyntax("reference.conf").resolve(ConfigResolveOptions.noSystem());
  }

  /** {@code config} with {@code orchestrator.auth.<key>} set to {@code value}. */
  static Config withAuth(Config config, String key, Object value) {
    return config.withValue("orchestrator.auth." + key, ConfigValueFactory.fromAnyRef(value));
  }
}
