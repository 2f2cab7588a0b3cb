package dev.interactions.transport.auth;

import com.auth0.jwt.algorithms.Algorithm;
import com.typesafe.config.Config;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code orchestrator.auth} section of the configuration, read once. Every key is documented in the server's
 * {@code reference.conf}.
 *
 * @param mode whether callers must present a token
 * @param jwt how tokens are verified; present exactly when {@code mode} is {@link Mode#JWT}
 */
public record AuthSettings(Mode mode, Optional<JwtSettings> jwt) {

  /** Shortest HS256 secret accepted: RFC 7518 §3.2 asks for a key at least as long as the hash output. */
  public static final int MIN_SECRET_BYTES = 32;

  /** Whether callers must authenticate. */
  public enum Mode {
    /** Everyone is {@link Caller#ANYONE}. Only safe on a loopback address, see {@link #requireSafeBinding}. */
    NONE,
    /** Every caller presents a signed JWT, see {@link Authenticator}. */
    JWT
  }

  /** Signature algorithms a deployment can choose; the token's {@code alg} header must name the one configured. */
  public enum SigningAlgorithm {
    /** HMAC with SHA-256 and a shared secret. */
    HS256,
    /** RSASSA-PKCS1-v1_5 with SHA-256 and an RSA public key. */
    RS256,
    /** ECDSA on P-256 with SHA-256 and an EC public key. */
    ES256
  }

  /**
   * How tokens are verified.
   *
   * @param verifier the configured algorithm with its key; the key stays inside it so that {@code toString} of these
   *     settings never prints a secret
   * @param issuer the {@code iss} a token must carry, empty to accept any
   * @param audience a value the token's {@code aud} must contain, empty to accept any
   * @param sessionsClaim name of the claim listing the sessions the bearer may join
   * @param scopeClaim name of the claim holding the bearer's scopes
   * @param requesterScope the scope that lets the bearer request interactions
   * @param metricsScope the scope that lets the bearer read the metrics ({@code GET /metrics})
   * @param rolesClaim name of the claim holding the bearer's roles, which interactions may name as answerers
   * @param leeway clock skew tolerated on {@code exp}, {@code nbf} and {@code iat}, in whole seconds
   */
  public record JwtSettings(
      Algorithm verifier,
      Optional<String> issuer,
      Optional<String> audience,
      String sessionsClaim,
      String scopeClaim,
      String requesterScope,
      String metricsScope,
      String rolesClaim,
      Duration leeway) {

    /** Checks that every component is present and the leeway is not negative. */
    public JwtSettings {
      Objects.requireNonNull(verifier, "verifier");
      Objects.requireNonNull(issuer, "issuer");
      Objects.requireNonNull(audience, "audience");
      requireText("jwt.sessions-claim", sessionsClaim);
      requireText("jwt.scope-claim", scopeClaim);
      requireText("jwt.requester-scope", requesterScope);
      requireText("jwt.metrics-scope", metricsScope);
      requireText("jwt.roles-claim", rolesClaim);
      Objects.requireNonNull(leeway, "leeway");
      if (leeway.isNegative()) {
        throw new IllegalArgumentException("orchestrator.auth.jwt.leeway must not be negative, was " + leeway);
      }
    }
  }

  /** Checks that JWT mode comes with its JWT settings. */
  public AuthSettings {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(jwt, "jwt");
    if (mode == Mode.JWT && jwt.isEmpty()) {
      throw new IllegalArgumentException("orchestrator.auth.mode = jwt needs the orchestrator.auth.jwt settings");
    }
    if (mode == Mode.NONE) {
      // Settings that are never used would only suggest that tokens are checked.
      jwt = Optional.empty();
    }
  }

  /**
   * Reads the settings from the {@code orchestrator.auth} section of {@code config}.
   *
   * @throws IllegalArgumentException when the mode or algorithm is unknown, or in JWT mode when the key is missing or
   *     unparseable or an HS256 secret is shorter than {@value #MIN_SECRET_BYTES} bytes; the message names the key
   */
  public static AuthSettings from(Config config) {
    Config c = config.getConfig("orchestrator.auth");
    Mode mode = parseEnum(Mode.class, "mode", c.getString("mode"));
    if (mode == Mode.NONE) {
      // The JWT keys are not read at all, so a half-configured jwt section does not stop a local server.
      return new AuthSettings(Mode.NONE, Optional.empty());
    }
    Config j = c.getConfig("jwt");
    SigningAlgorithm algorithm = parseEnum(SigningAlgorithm.class, "jwt.algorithm", j.getString("algorithm"));
    return new AuthSettings(
        Mode.JWT,
        Optional.of(
            new JwtSettings(
                verifier(algorithm, j),
                optionalText(j.getString("issuer")),
                optionalText(j.getString("audience")),
                j.getString("sessions-claim"),
                j.getString("scope-claim"),
                j.getString("requester-scope"),
                j.getString("metrics-scope"),
                j.getString("roles-claim"),
                wholeSeconds(j.getDuration("leeway")))));
  }

  /**
   * Refuses to start a server that would let anyone on the network request and answer interactions: with mode
   * {@link Mode#NONE}, {@code host} must be a loopback address, or a name all of whose addresses are loopback. With
   * {@link Mode#JWT} any host is accepted.
   *
   * @param host the address the HTTP server is about to bind to, as configured
   * @throws IllegalStateException when auth is off and {@code host} is not loopback (a wildcard such as
   *     {@code 0.0.0.0}, a LAN address, a name resolving elsewhere or not at all); the message says what to configure
   */
  public void requireSafeBinding(String host) {
    if (mode == Mode.JWT) {
      return;
    }
    String why = whyNotLoopback(host);
    if (why != null) {
      throw new IllegalStateException(
          "orchestrator.auth.mode is none, but the server would bind to '"
              + host
              + "', "
              + why
              + ": anyone who can reach it could request and answer the interactions of every session. Either set"
              + " orchestrator.auth.mode = jwt (ORCHESTRATOR_AUTH_MODE=jwt) with a key,"
              + " orchestrator.auth.jwt.secret (ORCHESTRATOR_JWT_SECRET, HS256, at least "
              + MIN_SECRET_BYTES
              + " bytes) or orchestrator.auth.jwt.public-key (ORCHESTRATOR_JWT_PUBLIC_KEY, RS256/ES256), or bind to"
              + " 127.0.0.1.");
    }
  }

  /** Why {@code host} is not safe to serve unauthenticated on, or {@code null} when every address of it is loopback. */
  private static String whyNotLoopback(String host) {
    if (host == null || host.isBlank()) {
      return "which is no address at all";
    }
    // IPv6 literals are often written with the brackets of a URL authority.
    String bare = host.strip();
    if (bare.startsWith("[") && bare.endsWith("]")) {
      bare = bare.substring(1, bare.length() - 1);
    }
    InetAddress[] addresses;
    try {
      // Literals are parsed without a lookup; names are resolved the way the server's bind would resolve them.
      addresses = InetAddress.getAllByName(bare);
    } catch (UnknownHostException e) {
      return "which does not resolve";
    }
    if (Arrays.stream(addresses).anyMatch(InetAddress::isAnyLocalAddress)) {
      return "which is the wildcard address (every interface)";
    }
    if (!Arrays.stream(addresses).allMatch(InetAddress::isLoopbackAddress)) {
      return "which is not a loopback address";
    }
    return null;
  }

  private static Algorithm verifier(SigningAlgorithm algorithm, Config j) {
    return switch (algorithm) {
      case HS256 -> Algorithm.HMAC256(secret(j.getString("secret")));
      case RS256 -> Algorithm.RSA256(PemPublicKey.parse(j.getString("public-key"), RSAPublicKey.class), null);
      case ES256 -> Algorithm.ECDSA256(PemPublicKey.parse(j.getString("public-key"), ECPublicKey.class), null);
    };
  }

  private static byte[] secret(String secret) {
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    if (bytes.length == 0) {
      throw new IllegalArgumentException(
          "orchestrator.auth.mode = jwt with algorithm HS256 needs orchestrator.auth.jwt.secret"
              + " (ORCHESTRATOR_JWT_SECRET), at least "
              + MIN_SECRET_BYTES
              + " bytes");
    }
    if (bytes.length < MIN_SECRET_BYTES) {
      // The length is safe to report; the secret itself is not.
      throw new IllegalArgumentException(
          "orchestrator.auth.jwt.secret (ORCHESTRATOR_JWT_SECRET) must be at least "
              + MIN_SECRET_BYTES
              + " bytes for HS256, was "
              + bytes.length);
    }
    return bytes;
  }

  private static <E extends Enum<E>> E parseEnum(Class<E> type, String key, String value) {
    try {
      return Enum.valueOf(type, value.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "orchestrator.auth."
              + key
              + " must be one of "
              + Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT)
              + ", was '"
              + value
              + "'");
    }
  }

  private static Duration wholeSeconds(Duration leeway) {
    if (leeway.isNegative()) {
      throw new IllegalArgumentException("orchestrator.auth.jwt.leeway must not be negative, was " + leeway);
    }
    // The verifier counts leeway in whole seconds; rounding up never rejects a token the setting meant to accept.
    long seconds = leeway.toSeconds();
    return Duration.ofSeconds(leeway.toNanosPart() == 0 ? seconds : seconds + 1);
  }

  private static Optional<String> optionalText(String value) {
    return value.isBlank() ? Optional.empty() : Optional.of(value.strip());
  }

  private static void requireText(String key, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("orchestrator.auth." + key + " must not be empty");
    }
  }
}
