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

  /** A path, relative to the file's folder. */
  public Path path(String value, String key) {
    return baseDir.resolve(required(value, key));
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
