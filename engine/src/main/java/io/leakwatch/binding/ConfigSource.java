package io.leakwatch.binding;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The file a configuration came from and the folder its relative paths resolve against; turns bound
 * values into checked ones with the key in every message.
 */
public record ConfigSource(String source, Path baseDir) {
  public ConfigException problem(String key, String what) {
    return new ConfigException(source, key, what);
  }

  /** A value that must be there and not be blank. */
  public String required(String value, String key) {
    return required(value, key, "is required");
  }

  /** As {@link #required(String, String)}, saying {@code whenMissing} when it is not there. */
  public String required(String value, String key, String whenMissing) {
    if (value == null) {
      throw problem(key, whenMissing);
    }
    if (value.isBlank()) {
      throw problem(key, "must not be empty");
    }
    return value;
  }

  public <T> T required(T value, String key) {
    if (value == null) {
      throw problem(key, "is required");
    }
    return value;
  }

  /**
   * A path, relative to the file's folder. A value that is a file's contents instead (a private key
   * passed in an environment variable) is refused without being quoted: any text is a valid path on
   * Linux, and "file … does not exist" would print the key.
   */
  public Path path(String value, String key) {
    String given = required(value, key);
    if (looksLikeContents(given)) {
      throw problem(
          key,
          "must be the path of a file, but its value looks like the file's contents (not shown):"
              + " put them in a file, such as a mounted secret, and give its path");
    }
    return baseDir.resolve(given);
  }

  /** PEM blocks and other multi-line text; no file name has a line break. */
  private static boolean looksLikeContents(String value) {
    return value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0 || value.contains("-----BEGIN");
  }

  /** A file that must exist. */
  public Path file(String value, String key) {
    Path path = path(value, key);
    if (!Files.isRegularFile(path)) {
      throw problem(key, "file " + path + " does not exist");
    }
    return path;
  }

  /** A file that must exist, or null when the key is absent. */
  public Path optionalFile(String value, String key) {
    return value == null ? null : file(value, key);
  }

  public static boolean flag(Boolean value, boolean otherwise) {
    return value == null ? otherwise : value;
  }
}
