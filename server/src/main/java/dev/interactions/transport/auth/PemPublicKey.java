package dev.interactions.transport.auth;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** Reads the public key that verifies RS256 and ES256 tokens from PEM text (X.509 SubjectPublicKeyInfo). */
final class PemPublicKey {

  private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
  private static final String END = "-----END PUBLIC KEY-----";
  private static final String KEY = "orchestrator.auth.jwt.public-key (ORCHESTRATOR_JWT_PUBLIC_KEY)";

  private PemPublicKey() {}

  /**
   * Parses {@code pem} as a public key of {@code type}, {@link java.security.interfaces.RSAPublicKey} or
   * {@link ECPublicKey} (which must be on P-256, the curve of ES256).
   *
   * @throws IllegalArgumentException naming the config key when the text is missing, not PEM, or not such a key
   */
  static <K extends PublicKey> K parse(String pem, Class<K> type) {
    boolean rsa = !ECPublicKey.class.isAssignableFrom(type);
    String algorithm = rsa ? "RS256" : "ES256";
    if (pem == null || pem.isBlank()) {
      throw new IllegalArgumentException(
          "orchestrator.auth.mode = jwt with algorithm " + algorithm + " needs " + KEY + ", PEM text starting "
              + BEGIN);
    }
    int begin = pem.indexOf(BEGIN);
    int end = pem.indexOf(END);
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException(
          KEY + " must be PEM text between " + BEGIN + " and " + END + " (X.509 SubjectPublicKeyInfo, as written by"
              + " openssl pkey -pubout); PKCS#1 'RSA PUBLIC KEY' and certificates are not accepted");
    }
    // Env vars and one-line config strings often carry the line breaks as a literal backslash-n.
    String body = pem.substring(begin + BEGIN.length(), end).replace("\\n", "").replaceAll("\\s", "");
    PublicKey key = decode(body, rsa ? "RSA" : "EC", algorithm);
    if (!type.isInstance(key)) {
      throw new IllegalArgumentException(KEY + " is not " + (rsa ? "an RSA" : "an EC") + " public key");
    }
    if (key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() != 256) {
      throw new IllegalArgumentException(KEY + " must be a P-256 key for ES256");
    }
    return type.cast(key);
  }

  private static PublicKey decode(String base64, String keyAlgorithm, String algorithm) {
    try {
      byte[] der = Base64.getDecoder().decode(base64);
      return KeyFactory.getInstance(keyAlgorithm).generatePublic(new X509EncodedKeySpec(der));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          KEY + " is not a valid " + keyAlgorithm + " public key for " + algorithm + ": " + e.getMessage(), e);
    }
  }
}
