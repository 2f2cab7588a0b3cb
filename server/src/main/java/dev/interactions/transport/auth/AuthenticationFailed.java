package dev.interactions.transport.auth;

/**
 * The caller could not be authenticated: no token, or one that is malformed, badly signed, expired, not yet valid,
 * or for another issuer or audience. Answer with HTTP 401.
 *
 * <p>The message is written here, never copied from the JWT library, so it is safe to return to the client and to
 * log: it never contains the token or its claims.
 */
public final class AuthenticationFailed extends RuntimeException {

  AuthenticationFailed(String message) {
    // No cause: the library's messages quote decoded token parts, and a logged cause would print them.
    super(message, null, false, false);
  }
}
