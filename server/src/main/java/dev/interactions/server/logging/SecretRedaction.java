package dev.interactions.server.logging;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks credentials in text bound for the log: bearer tokens, {@code Authorization} header values, {@code access_token}
 * and other token, secret, password or API-key values written as {@code key=value} or {@code "key" : "value"} (query
 * strings, JSON, rendered configuration), and anything shaped like a JWT. What is left says what the text was about,
 * never the secret: {@code Bearer [redacted]}, {@code access_token=[redacted]}.
 *
 * <p>This is the last line of defence behind our own code and the libraries' settings: it sees every message and stack
 * trace, whoever logged them, so it errs on the side of masking.
 */
public final class SecretRedaction {

  /** What a masked value is replaced with. */
  public static final String MASK = "[redacted]";

  private static final String REPLACEMENT = "$1" + Matcher.quoteReplacement(MASK);

  // A whole Authorization header, whatever its scheme (Bearer, Basic, …): the rest of the line.
  private static final Pattern AUTHORIZATION_HEADER =
      Pattern.compile("(?i)(\\bauthorization[\"']?\\s*[:=]\\s*)[^\\r\\n]+");

  // A bearer credential in any spelling Pekko quotes: "Bearer x", "Bearer:x", "Bearer \"x\"". Eight characters at
  // least, so that prose ("the bearer may join") keeps its words; real credentials are far longer.
  private static final Pattern BEARER = Pattern.compile("(?i)(\\bbearer[\\s:=\"']+)[^\\s\"',;]{8,}");

  // key=value and "key" : "value" for keys that name a credential: access_token (also percent-encoded), other *_token
  // keys, secrets (orchestrator.auth.jwt.secret in a configuration dump), passwords, API keys.
  private static final Pattern CREDENTIAL_VALUE =
      Pattern.compile(
          "(?i)((?:\\b|_)(?:access(?:_|%5f)token|[a-z]*[_-]?token|[a-z]*[_-]?secret|password|passwd|api[_-]?key)"
              + "[\"']?\\s*[:=]\\s*)(?:\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'|[^\\s&\"',;}#]+)");

  // A JWT anywhere (its header is base64url JSON, so it starts with "eyJ"): header.payload[.signature].
  private static final Pattern JWT = Pattern.compile("()\\beyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]+(?:\\.[A-Za-z0-9_-]*)?");

  private SecretRedaction() {}

  /** {@code text} with every credential in it masked; {@code null} stays {@code null}. */
  public static String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String redacted = text;
    for (Pattern secret : new Pattern[] {AUTHORIZATION_HEADER, BEARER, CREDENTIAL_VALUE, JWT}) {
      redacted = secret.matcher(redacted).replaceAll(REPLACEMENT);
    }
    return redacted;
  }
}
