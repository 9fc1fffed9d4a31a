package io.leakwatch.profile;

/** An org profile that cannot be used, with the file and key that are wrong. */
public final class ProfileException extends RuntimeException {
  public ProfileException(String source, String key, String problem) {
    super(source + ": " + (key == null || key.isEmpty() ? "" : key + ": ") + problem);
  }
}
