package dev.interactions.transport.auth;

import static dev.interactions.transport.auth.TestTokens.withAuth;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading {@code orchestrator.auth}: defaults, failing fast on a bad key, and refusing an open, exposed server. */
class AuthSettingsTest {

  private static final AuthSettings NONE = AuthSettings.from(TestTokens.reference());
  private static final AuthSettings JWT = AuthSettings.from(TestTokens.config(TestTokens.SECRET));

  @Test
  void referenceDefaultsToNoAuth() {
    assertEquals(new AuthSettings(AuthSettings.Mode.NONE, Optional.empty()), NONE);
  }

  @Test
  void jwtModeReadsTheDocumentedDefaults() {
    AuthSettings.JwtSettings jwt = JWT.jwt().orElseThrow();

    assertEquals("HS256", jwt.verifier().getName());
    assertEquals(Optional.empty(), jwt.issuer());
    assertEquals(Optional.empty(), jwt.audience());
    assertEquals("sessions", jwt.sessionsClaim());
    assertEquals("scope", jwt.scopeClaim());
    assertEquals("interactions:request", jwt.requesterScope());
    assertEquals(Duration.ofSeconds(30), jwt.leeway());
  }

  @Test
  void settingsNeverPrintTheSecret() {
    assertFalse(JWT.toString().contains(TestTokens.SECRET), JWT.toString());
  }

  @Test
  void modeIsCaseInsensitive() {
    Config config = withAuth(TestTokens.config(TestTokens.SECRET), "mode", "JWT");

    assertEquals(AuthSettings.Mode.JWT, AuthSettings.from(config).mode());
  }

  @Test
  void unknownModeFailsFast() {
    Config config = withAuth(TestTokens.reference(), "mode", "basic");

    IllegalArgumentException failed = assertThrows(IllegalArgumentException.class, () -> AuthSettings.from(config));

    assertTrue(failed.getMessage().contains("orchestrator.auth.mode must be one of [none, jwt]"), failed.getMessage());
  }

  @Test
  void unknownAlgorithmFailsFast() {
    Config config = withAuth(TestTokens.config(TestTokens.SECRET), "jwt.algorithm", "none");

    IllegalArgumentException failed = assertThrows(IllegalArgumentException.class, () -> AuthSettings.from(config));

    assertTrue(failed.getMessage().contains("orchestrator.auth.jwt.algorithm"), failed.getMessage());
  }

  @Test
  void jwtModeWithoutSecretFailsFast() {
    Config config = withAuth(TestTokens.reference(), "mode", "jwt");

    IllegalArgumentException failed = assertThrows(IllegalArgumentException.class, () -> AuthSettings.from(config));

    assertTrue(
        failed.getMessage().contains("orchestrator.auth.jwt.secret (ORCHESTRATOR_JWT_SECRET)"), failed.getMessage());
  }

  @Test
  void shortSecretFailsFastWithoutQuotingIt() {
    String shortSecret = "only-31-bytes-long-secret-12345";

    IllegalArgumentException failed =
        assertThrows(IllegalArgumentException.class, () -> AuthSettings.from(TestTokens.config(shortSecret)));

    assertEquals(
        "orchestrator.auth.jwt.secret (ORCHESTRATOR_JWT_SECRET) must be at least 32 bytes for HS256, was 31",
        failed.getMessage());
  }

  @Test
  void publicKeyAlgorithmWithoutKeyFailsFast() {
    Config config = withAuth(withAuth(TestTokens.reference(), "mode", "jwt"), "jwt.algorithm", "RS256");

    IllegalArgumentException failed = assertThrows(IllegalArgumentException.class, () -> AuthSettings.from(config));

    assertTrue(failed.getMessage().contains("ORCHESTRATOR_JWT_PUBLIC_KEY"), failed.getMessage());
  }

  @Test
  void unparseablePublicKeyFailsFast() {
    Config config = publicKeyConfig("RS256", "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n");

    IllegalArgumentException failed = assertThrows(IllegalArgumentException.class, () -> AuthSettings.from(config));

    assertTrue(failed.getMessage().startsWith("orchestrator.auth.jwt.public-key"), failed.getMessage());
  }

  @Test
  void publicKeyThatIsNotPemFailsFast() {
    Config config = publicKeyConfig("RS256", "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA");

    IllegalArgumentException failed = assertThrows(IllegalArgumentException.class, () -> AuthSettings.from(config));

    assertTrue(failed.getMessage().contains("must be PEM text"), failed.getMessage());
  }

  @Test
  void es256KeyOnAnotherCurveFailsFast() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp384r1"));
    Config config = publicKeyConfig("ES256", TestTokens.pem(generator.generateKeyPair().getPublic()));

    IllegalArgumentException failed = assertThrows(IllegalArgumentException.class, () -> AuthSettings.from(config));

    assertTrue(failed.getMessage().contains("P-256"), failed.getMessage());
  }

  @Test
  void negativeLeewayFailsFast() {
    Config config = withAuth(TestTokens.config(TestTokens.SECRET), "jwt.leeway", "-1s");

    assertThrows(IllegalArgumentException.class, () -> AuthSettings.from(config));
  }

  @Test
  void fractionalLeewayIsRoundedUpToWholeSeconds() {
    Config config = withAuth(TestTokens.config(TestTokens.SECRET), "jwt.leeway", "1500ms");

    assertEquals(Duration.ofSeconds(2), AuthSettings.from(config).jwt().orElseThrow().leeway());
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"})
  void noAuthMayBindToLoopback(String host) {
    assertDoesNotThrow(() -> NONE.requireSafeBinding(host));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0", "::", "192.0.2.10", "2001:db8::10"})
  void noAuthRefusesToBindBeyondLoopback(String host) {
    IllegalStateException failed = assertThrows(IllegalStateException.class, () -> NONE.requireSafeBinding(host));

    assertTrue(failed.getMessage().contains("orchestrator.auth.mode = jwt"), failed.getMessage());
    assertTrue(failed.getMessage().contains("bind to 127.0.0.1"), failed.getMessage());
  }

  @Test
  void noAuthRefusesABlankHost() {
    assertThrows(IllegalStateException.class, () -> NONE.requireSafeBinding(" "));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0", "192.0.2.10", "127.0.0.1"})
  void jwtMayBindAnywhere(String host) {
    assertDoesNotThrow(() -> JWT.requireSafeBinding(host));
  }

  private static Config publicKeyConfig(String algorithm, String pem) {
    return withAuth(withAuth(withAuth(TestTokens.reference(), "mode", "jwt"), "jwt.algorithm", algorithm),
        "jwt.public-key", pem);
  }
}
