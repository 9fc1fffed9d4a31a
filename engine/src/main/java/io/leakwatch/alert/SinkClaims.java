package io.leakwatch.alert;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The spool folders, alert files and names of one {@code alerts:} section, so no two sinks share
 * any: a shared spool folder makes one sink finish (and forget) the other's alerts, two sinks
 * appending to one file interleave, rotate it under each other and take each other's lines for
 * their own, and a shared name makes metrics and dead letters indistinguishable.
 */
final class SinkClaims {
  private final Map<Path, String> folders = new HashMap<>();
  private final Map<Path, String> files = new HashMap<>();
  private final Map<String, String> names = new HashMap<>();

  /**
   * Records {@code folder} for the sink at {@code key}; the key of the sink that already has it, or
   * null.
   */
  String claimFolder(Path folder, String key) {
    return folders.putIfAbsent(same(folder), key);
  }

  /**
   * Records the alerts file at {@code path} for the sink at {@code key}; the key of the sink that
   * already writes it, or null.
   */
  String claimFile(Path path, String key) {
    return files.putIfAbsent(same(path), key);
  }

  /** Records {@code name} for the sink at {@code key}; the key already named so, or null. */
  String claimName(String name, String key) {
    return names.putIfAbsent(name, key);
  }

  /**
   * The folder (or file) as the file system sees it: symbolic links and {@code ..} resolved, even
   * when it does not exist yet (its nearest existing parent is resolved).
   */
  static Path same(Path folder) {
    Path absolute = folder.toAbsolutePath().normalize();
    Path existing = absolute;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return absolute;
    }
    try {
      return existing.toRealPath().resolve(existing.relativize(absolute));
    } catch (IOException e) {
      return absolute; // unreadable: compared as written; opening it will say what is wrong
    }
  }
}
