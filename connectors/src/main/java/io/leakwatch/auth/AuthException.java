package io.leakwatch.auth;

/** Authentication failed; the message says which endpoint and why, never a secret. */
public final class AuthException extends RuntimeException {
  public AuthException(String message) {
    super(message);
  }

  public AuthException(String message, Throwable cause) {
    super(message, cause);
  }
}
