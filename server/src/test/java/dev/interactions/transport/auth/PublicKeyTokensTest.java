package dev.interactions.transport.auth;

import static dev.interactions.transport.auth.TestTokens.claims;
import static dev.interactions.transport.auth.TestTokens.withAuth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.algorithms.Algorithm;
import com.typesafe.config.Config;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** RS256 and ES256: the server holds only the public key, given as PEM text in the configuration. */
class PublicKeyTokensTest {

  private static KeyPair rsa;
  private static KeyPair otherRsa;
  private static KeyPair ec;

  @BeforeAll
  static void generateKeys() throws GeneralSecurityException {
    KeyPairGenerator rsaGenerator = KeyPairGenerator.getInstance("RSA");
    rsaGenerator.initialize(2048);
    rsa = rsaGenerator.generateKeyPair();
    otherRsa = rsaGenerator.generateKeyPair();
    KeyPairGenerator ecGenerator = KeyPairGenerator.getInstance("EC");
    ecGenerator.initialize(new ECGenParameterSpec("secp256r1"));
    ec = ecGenerator.generateKeyPair();
  }

  @Test
  void rs256TokenSignedWithTheConfiguredKeyIsAccepted() {
    String token = clientToken(rs256(rsa));

    Caller caller = authenticator("RS256", TestTokens.pem(rsa.getPublic())).authenticate(Optional.of(token));

    assertTrue(caller.mayJoin("s1"));
  }

  @Test
  void rs256TokenSignedWithAnotherKeyIsRefused() {
    String token = clientToken(rs256(otherRsa));
    Authenticator authenticator = authenticator("RS256", TestTokens.pem(rsa.getPublic()));

    AuthenticationFailed failed =
        assertThrows(AuthenticationFailed.class, () -> authenticator.authenticate(Optional.of(token)));

    assertEquals("invalid token signature", failed.getMessage());
  }

  @Test
  void es256TokenSignedWithTheConfiguredKeyIsAccepted() {
    String token = clientToken(Algorithm.ECDSA256((ECPublicKey) ec.getPublic(), (ECPrivateKey) ec.getPrivate()));

    Caller caller = authenticator("ES256", TestTokens.pem(ec.getPublic())).authenticate(Optional.of(token));

    assertTrue(caller.mayJoin("s1"));
  }

  @Test
  void hs256TokenKeyedWithThePublicKeyIsRefused() {
    // The classic algorithm confusion: an attacker knows the public key and uses its text as an HMAC secret.
    String pem = TestTokens.pem(rsa.getPublic());
    String forged = clientToken(TestTokens.hs256(pem));
    Authenticator authenticator = authenticator("RS256", pem);

    AuthenticationFailed failed =
        assertThrows(AuthenticationFailed.class, () -> authenticator.authenticate(Optional.of(forged)));

    assertEquals("token algorithm is not RS256", failed.getMessage());
  }

  @Test
  void pemWithEscapedLineBreaksIsAccepted() {
    String oneLine = TestTokens.pem(rsa.getPublic()).replace("\n", "\\n");
    String token = clientToken(rs256(rsa));

    Caller caller = authenticator("RS256", oneLine).authenticate(Optional.of(token));

    assertTrue(caller.mayJoin("s1"));
  }

  private static String clientToken(Algorithm signer) {
    return claims("user-42").withArrayClaim("sessions", new String[] {"s1"}).sign(signer);
  }

  private static Algorithm rs256(KeyPair pair) {
    return Algorithm.RSA256((RSAPublicKey) pair.getPublic(), (RSAPrivateKey) pair.getPrivate());
  }

  private static Authenticator authenticator(String algorithm, String pem) {
    Config config = withAuth(withAuth(withAuth(TestTokens.reference(), "mode", "jwt"), "jwt.algorithm", algorithm),
        "jwt.public-key", pem);
    return Authenticator.from(AuthSettings.from(config));
  }
}
