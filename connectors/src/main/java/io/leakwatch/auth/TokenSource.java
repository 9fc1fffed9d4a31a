package io.leakwatch.auth;

/**
 * Where a subscription's credentials come from. {@link #current()} is cheap and called on every
 * RPC; {@link #refresh()} runs an OAuth flow again (blocking) after the server rejected the token.
 */
public interface TokenSource {
  AccessGrant current();

  AccessGrant refresh();

  /**
   * A token handed over as is (a session id, or one obtained elsewhere); it cannot be refreshed.
   */
  static TokenSource fixed(AccessGrant grant) {
    return new TokenSource() {
      @Override
      public AccessGrant current() {
        return grant;
      }

      @Override
      public AccessGrant refresh() {
        throw new AuthException(
            "the static access token was rejected and cannot be refreshed; configure an OAuth flow (jwt or clientCredentials)");
      }
    };
  }
}
