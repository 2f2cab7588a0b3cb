package dev.interactions.transport.auth;

import static dev.interactions.transport.auth.TestTokens.SECRET;
import static dev.interactions.transport.auth.TestTokens.claims;
import static dev.interactions.transport.auth.TestTokens.hs256;
import static dev.interactions.transport.auth.TestTokens.withAuth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.typesafe.config.Config;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** HS256 tokens: what a valid one grants, and every way an invalid one is turned away with a 401. */
class AuthenticatorTest {

  private static final String OTHER_SECRET = "another-secret-that-is-long-enough-0123";

  private final Authenticator authenticator = authenticator(TestTokens.config(SECRET));

  @Test
  void validClientTokenYieldsItsSubjectAndSessionsWithoutRequesting() {
    Caller caller = authenticate(TestTokens.client(SECRET, "user-42", "s1", "s2"));

    assertEquals(new Caller("user-42", Set.of("s1", "s2"), false, false, Set.of(), caller.validUntil()), caller);
  }

  @Test
  void callerIsValidUntilTheTokensExpiryPlusTheLeeway() {
    Instant expiry = Instant.now().plusSeconds(600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    String token = JWT.create().withSubject("user-42").withExpiresAt(expiry).sign(hs256(SECRET));

    assertEquals(Optional.of(expiry.plusSeconds(30)), authenticate(token).validUntil(), "reference.conf's leeway is 30 s");
  }

  @Test
  void requesterScopeMakesTheCallerARequester() {
    Caller caller = authenticate(TestTokens.requesterFor(SECRET, "billing", "s1"));

    assertTrue(caller.requester());
    assertTrue(caller.mayRequest("s1"));
  }

  @Test
  void requesterScopeIsFoundAmongOtherScopes() {
    String token = claims("billing").withArrayClaim("sessions", new String[] {"s1"})
        .withClaim("scope", "openid interactions:request profile").sign(hs256(SECRET));

    assertTrue(authenticate(token).requester());
  }

  @Test
  void scopesMayBeAJsonArray() {
    String token = claims("billing").withArrayClaim("sessions", new String[] {"s1"})
        .withArrayClaim("scope", new String[] {"openid", "interactions:request"}).sign(hs256(SECRET));

    assertTrue(authenticate(token).requester());
  }

  @Test
  void tokenForAnotherSessionMayNotJoinThisOne() {
    Caller caller = authenticate(TestTokens.client(SECRET, "user-42", "s1"));

    assertFalse(caller.mayJoin("s2"));
  }

  @Test
  void withoutRequesterScopeTheCallerMayJoinButNotRequest() {
    Caller caller = authenticate(TestTokens.client(SECRET, "user-42", "s1"));

    assertTrue(caller.mayJoin("s1"));
    assertFalse(caller.mayRequest("s1"));
  }

  @Test
  void requesterMayNotRequestInASessionItMayNotJoin() {
    Caller caller = authenticate(TestTokens.requesterFor(SECRET, "billing", "s1"));

    assertFalse(caller.mayRequest("s2"));
  }

  @Test
  void wildcardSessionJoinsAnySession() {
    Caller caller = authenticate(TestTokens.requester(SECRET, "billing"));

    assertTrue(caller.mayJoin("any-session"));
    assertTrue(caller.mayRequest("another-one"));
  }

  @Test
  void tokenWithoutSessionsClaimJoinsNoSession() {
    Caller caller = authenticate(claims("user-42").sign(hs256(SECRET)));

    assertEquals(Set.of(), caller.sessions());
  }

  @Test
  void configuredClaimNamesAreRead() {
    Config config =
        withAuth(withAuth(TestTokens.config(SECRET), "jwt.sessions-claim", "rooms"), "jwt.scope-claim", "scp");
    String token = claims("billing").withArrayClaim("rooms", new String[] {"r1"})
        .withClaim("scp", "interactions:request").sign(hs256(SECRET));

    assertTrue(authenticator(config).authenticate(Optional.of(token)).mayRequest("r1"));
  }

  @Test
  void rolesAreReadAsAnArrayOrASpaceSeparatedStringAndNoneWhenAbsent() {
    String listed = claims("alice").withArrayClaim("roles", new String[] {"approvers", "sre"}).sign(hs256(SECRET));
    String spaced = claims("alice").withClaim("roles", " approvers  sre ").sign(hs256(SECRET));

    assertEquals(Set.of("approvers", "sre"), authenticate(listed).roles());
    assertEquals(Set.of("approvers", "sre"), authenticate(spaced).roles());
    assertEquals(Set.of(), authenticate(TestTokens.client(SECRET, "alice", "s1")).roles());
    assertEquals(Set.of(), Caller.ANYONE.roles(), "with auth off nobody holds a role");
  }

  @Test
  void theRolesClaimIsConfigurableAndOneOfAnotherShapeGrantsNoRolesRatherThanRefusingTheToken() {
    Authenticator groups = authenticator(withAuth(TestTokens.config(SECRET), "jwt.roles-claim", "groups"));
    String token = claims("alice").withArrayClaim("groups", new String[] {"ops"}).withClaim("roles", "ignored").sign(hs256(SECRET));

    assertEquals(Set.of("ops"), groups.authenticate(Optional.of(token)).roles());
    Caller withObjectRoles = authenticate(claims("alice").withClaim("roles", Map.of("realm", "ops")).sign(hs256(SECRET)));
    assertEquals(Set.of(), withObjectRoles.roles());
    assertEquals("alice", withObjectRoles.subject());
    assertRefused(claims("alice").withClaim("scope", 7).sign(hs256(SECRET)), "token claim scope must be a string or an array");
  }

  @Test
  void configuredRequesterScopeReplacesTheDefault() {
    Config config = withAuth(TestTokens.config(SECRET), "jwt.requester-scope", "ask");

    Caller caller = authenticator(config).authenticate(Optional.of(TestTokens.requester(SECRET, "billing")));

    assertFalse(caller.requester());
  }

  @Test
  void missingTokenIsRefused() {
    AuthenticationFailed failed =
        assertThrows(AuthenticationFailed.class, () -> authenticator.authenticate(Optional.empty()));

    assertEquals("missing bearer token", failed.getMessage());
  }

  @Test
  void tokenSignedWithAnotherSecretIsRefused() {
    assertRefused(TestTokens.client(OTHER_SECRET, "user-42", "s1"), "invalid token signature");
  }

  @Test
  void expiredTokenIsRefused() {
    assertRefused(TestTokens.expired(SECRET, "user-42", "s1"), "token expired");
  }

  @Test
  void tokenExpiredWithinTheLeewayIsAccepted() {
    String token =
        JWT.create().withSubject("user-42").withExpiresAt(Instant.now().minusSeconds(10)).sign(hs256(SECRET));

    assertEquals("user-42", authenticate(token).subject());
  }

  @Test
  void tokenWithoutExpiryIsRefused() {
    assertRefused(JWT.create().withSubject("user-42").sign(hs256(SECRET)), "token has no expiry (exp)");
  }

  @Test
  void tokenWithoutSubjectIsRefused() {
    String token = JWT.create().withExpiresAt(Instant.now().plusSeconds(3600)).sign(hs256(SECRET));

    assertRefused(token, "token has no subject (sub)");
  }

  @Test
  void tokenNotValidYetIsRefused() {
    String token = claims("user-42").withNotBefore(Instant.now().plusSeconds(600)).sign(hs256(SECRET));

    assertRefused(token, "token not valid yet (nbf)");
  }

  @Test
  void malformedTokenIsRefused() {
    assertRefused("not.a.jwt", "malformed token");
  }

  @Test
  void unsignedTokenIsRefused() {
    String token = claims("user-42").withArrayClaim("sessions", new String[] {"*"})
        .sign(Algorithm.none());

    assertRefused(token, "token algorithm is not HS256");
  }

  @Test
  void sessionsClaimThatIsNotAnArrayIsRefused() {
    String token = claims("user-42").withClaim("sessions", "s1").sign(hs256(SECRET));

    assertRefused(token, "token claim sessions must be an array of strings");
  }

  @Test
  void tokenFromAnotherIssuerIsRefusedWhenAnIssuerIsConfigured() {
    Authenticator strict = authenticator(withAuth(TestTokens.config(SECRET), "jwt.issuer", "https://idp.example"));
    String token = claims("user-42").withIssuer("https://evil.example").sign(hs256(SECRET));

    assertFailsWith(strict, token, "token issuer not accepted (iss)");
  }

  @Test
  void tokenFromTheConfiguredIssuerIsAccepted() {
    Authenticator strict = authenticator(withAuth(TestTokens.config(SECRET), "jwt.issuer", "https://idp.example"));
    String token = claims("user-42").withIssuer("https://idp.example").sign(hs256(SECRET));

    assertEquals("user-42", strict.authenticate(Optional.of(token)).subject());
  }

  @Test
  void tokenForAnotherAudienceIsRefusedWhenAnAudienceIsConfigured() {
    Authenticator strict = authenticator(withAuth(TestTokens.config(SECRET), "jwt.audience", "interactions"));
    String token = claims("user-42").withAudience("payments").sign(hs256(SECRET));

    assertFailsWith(strict, token, "token audience not accepted (aud)");
  }

  @Test
  void tokenWhoseAudiencesIncludeTheConfiguredOneIsAccepted() {
    Authenticator strict = authenticator(withAuth(TestTokens.config(SECRET), "jwt.audience", "interactions"));
    String token = claims("user-42").withAudience("payments", "interactions").sign(hs256(SECRET));

    assertEquals("user-42", strict.authenticate(Optional.of(token)).subject());
  }

  static Stream<String> refusedTokens() {
    return Stream.of(
        TestTokens.client(OTHER_SECRET, "user-42", "s1"),
        TestTokens.expired(SECRET, "user-42", "s1"),
        JWT.create().withSubject("user-42").sign(hs256(SECRET)),
        claims("user-42").withNotBefore(Instant.now().plusSeconds(600)).sign(hs256(SECRET)),
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJl",
        "{\"alg\":\"HS256\"}.garbage",
        "secret-looking-opaque-token");
  }

  @ParameterizedTest
  @MethodSource("refusedTokens")
  void refusalNeverQuotesTheToken(String token) {
    AuthenticationFailed failed = assertThrows(AuthenticationFailed.class, () -> authenticate(token));

    assertFalse(failed.getMessage().contains(token), failed.getMessage());
    for (String part : token.split("\\.")) {
      assertFalse(failed.getMessage().contains(part), failed.getMessage());
    }
    assertNull(failed.getCause());
  }

  @Test
  void modeNoneYieldsAnyoneWhateverTheToken() {
    Authenticator open = authenticator(TestTokens.reference());

    assertSame(Caller.ANYONE, open.authenticate(Optional.of("garbage")));
    assertSame(Caller.ANYONE, open.authenticate(Optional.empty()));
  }

  @Test
  void bearerTakesTheTokenOfABearerHeader() {
    assertEquals(Optional.of("abc.def.ghi"), Authenticator.bearer(Optional.of("Bearer abc.def.ghi")));
  }

  @Test
  void bearerSchemeIsCaseInsensitive() {
    assertEquals(Optional.of("abc.def.ghi"), Authenticator.bearer(Optional.of("bEaReR   abc.def.ghi ")));
  }

  @Test
  void otherSchemesCarryNoBearerToken() {
    assertEquals(Optional.empty(), Authenticator.bearer(Optional.of("Basic dXNlcjpwYXNz")));
  }

  @Test
  void bearerWithoutTokenCarriesNone() {
    assertEquals(Optional.empty(), Authenticator.bearer(Optional.of("Bearer ")));
  }

  @Test
  void absentHeaderCarriesNoBearerToken() {
    assertEquals(Optional.empty(), Authenticator.bearer(Optional.empty()));
  }

  private Caller authenticate(String token) {
    return authenticator.authenticate(Optional.of(token));
  }

  private void assertRefused(String token, String message) {
    assertFailsWith(authenticator, token, message);
  }

  private static void assertFailsWith(Authenticator authenticator, String token, String message) {
    AuthenticationFailed failed =
        assertThrows(AuthenticationFailed.class, () -> authenticator.authenticate(Optional.of(token)));
    assertEquals(message, failed.getMessage());
  }

  private static Authenticator authenticator(Config config) {
    return Authenticator.from(AuthSettings.from(config));
  }
}
