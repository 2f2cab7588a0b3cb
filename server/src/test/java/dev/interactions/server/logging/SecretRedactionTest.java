package dev.interactions.server.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import dev.interactions.transport.auth.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What {@link SecretRedaction} masks, and what it leaves readable. */
class SecretRedactionTest {

  private static final String TOKEN = TestTokens.requester(TestTokens.SECRET, "backend");
  private static final String SIGNATURE = TOKEN.substring(TOKEN.lastIndexOf('.') + 1);

  /** An opaque (non-JWT) credential: only its context can give it away. */
  private static final String OPAQUE = "s3cr3t-Opaque-Credential_0123456789";

  private static void assertMasked(String text, String secret) {
    String redacted = SecretRedaction.redact(text);
    assertFalse(redacted.contains(secret), redacted);
    assertTrue(redacted.contains(SecretRedaction.MASK), redacted);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "Bearer %s junk",
        "Bearer \"%s\"",
        "Bearer %s;",
        "Bearer %s,",
        "Bearer:%s",
        "bearer=%s",
        "BEARER \t%s"
      })
  void bearerCredentialsAreMaskedInEverySpellingPekkoQuotes(String header) {
    // Pekko's full-verbosity warning: summary, then the raw header value.
    String line =
        "Illegal header: Illegal 'authorization' header: Invalid input 'j', expected WSP, CRLF or 'EOI' (line 1, column"
            + " 222): "
            + header;
    assertMasked(line.formatted(TOKEN), SIGNATURE);
    assertMasked(line.formatted(OPAQUE), OPAQUE);
  }

  @Test
  void theMaskKeepsTheSchemeAndWhatFollowsTheCredential() {
    assertEquals("Bearer [redacted] junk", SecretRedaction.redact("Bearer " + OPAQUE + " junk"));
    assertEquals("Bearer \"[redacted]\"", SecretRedaction.redact("Bearer \"" + OPAQUE + "\""));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "/v1/sessions/s/ws?access_token=%s&x=%%zz",
        "/v1/sessions/s/ws?x=a|b&access_token=%s",
        "/v1/sessions/s/ws?access_token=%s&x=<",
        "/v1/sessions/s/ws?access_token=%s%%",
        "/v1/sessions/s/ws?ACCESS_TOKEN=%s#frag",
        "/v1/sessions/s/ws?access%%5Ftoken=%s",
        "{\"access_token\": \"%s\"}",
        "refresh_token=%s",
        "apiKey: %s"
      })
  void credentialValuesAreMaskedInQueriesAndJson(String text) {
    assertMasked(text.formatted(OPAQUE), OPAQUE);
    assertMasked(text.formatted(TOKEN), SIGNATURE);
  }

  @Test
  void theRestOfAQueryStaysReadable() {
    assertEquals(
        "/v1/sessions/s/ws?access_token=[redacted]&x=%zz",
        SecretRedaction.redact("/v1/sessions/s/ws?access_token=" + OPAQUE + "&x=%zz"));
  }

  @Test
  void anAuthorizationHeaderIsMaskedWhateverItsScheme() {
    assertMasked("Authorization: Basic dXNlcjpwYXNzd29yZDEyMw==", "dXNlcjpwYXNzd29yZDEyMw");
    assertMasked("headers: [Host: x, Authorization: Token " + OPAQUE + "]", OPAQUE);
  }

  @Test
  void aJwtIsMaskedWithoutAnyContext() {
    assertMasked("could not verify " + TOKEN + " in time", SIGNATURE);
    assertEquals("could not verify [redacted] in time", SecretRedaction.redact("could not verify " + TOKEN + " in time"));
  }

  @Test
  void theJwtSecretAndTheDatabasePasswordAreMaskedInAConfigurationDump() {
    // What pekko.log-config-on-start writes (Settings.toString is config.root.render), in every render style.
    Config config =
        ConfigFactory.parseString("orchestrator.persistence.jdbc.user = app")
            .withValue("orchestrator.auth.jwt.secret", ConfigValueFactory.fromAnyRef(TestTokens.SECRET))
            .withValue("orchestrator.persistence.jdbc.password", ConfigValueFactory.fromAnyRef(OPAQUE));
    for (ConfigRenderOptions options :
        new ConfigRenderOptions[] {
          ConfigRenderOptions.defaults(), ConfigRenderOptions.concise(), ConfigRenderOptions.defaults().setJson(false)
        }) {
      String dump = config.root().render(options);
      assertTrue(dump.contains(TestTokens.SECRET) && dump.contains(OPAQUE), "the dump holds both: " + dump);
      String redacted = SecretRedaction.redact(dump);
      assertFalse(redacted.contains(TestTokens.SECRET), redacted);
      assertFalse(redacted.contains(OPAQUE), redacted);
      assertTrue(redacted.contains("app"), "the rest stays: " + redacted);
    }
  }

  @Test
  void aQuotedValueIsMaskedWholeEvenWithEscapedQuotes() {
    assertEquals("\"secret\" : [redacted], next", SecretRedaction.redact("\"secret\" : \"a\\\"b c\", next"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "missing bearer token",
        "the bearer may join",
        "token expired",
        "Illegal header: Illegal 'authorization' header: Invalid input ',', expected token68-start (line 1, column 221)",
        "orchestrator.auth.jwt.secret (ORCHESTRATOR_JWT_SECRET) must be at least 32 bytes of UTF-8",
        "interaction orchestrator listening on http://127.0.0.1:8080",
        "timeoutMs: must be a whole number"
      })
  void linesWithoutCredentialsAreLeftAlone(String line) {
    assertEquals(line, SecretRedaction.redact(line));
  }

  @Test
  void nothingStaysNothing() {
    assertNull(SecretRedaction.redact(null));
    assertEquals("", SecretRedaction.redact(""));
  }
}
