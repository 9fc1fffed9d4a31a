package io.leakwatch.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Checks an {@code Authorization: Bearer …} header against the configured tokens. Compares SHA-256
 * digests with {@link MessageDigest#isEqual}: constant time, and the length of a token leaks
 * nothing.
 */
final class BearerTokens {
  private final List<byte[]> digests;

  BearerTokens(List<String> tokens) {
    digests = tokens.stream().map(BearerTokens::digest).toList();
  }

  boolean accepts(String authorization) {
    if (authorization == null
        || authorization.length() < 7
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] offered = digest(authorization.substring(7).trim());
    boolean match = false;
    for (byte[] digest : digests) {
      // No early exit: every configured token is compared.
      match |= MessageDigest.isEqual(digest, offered);
    }
    return match;
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
