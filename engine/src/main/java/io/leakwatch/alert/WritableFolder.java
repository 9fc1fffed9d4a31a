package io.leakwatch.alert;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a sink could create and write in a folder, found without creating or writing anything:
 * {@code config check} may run beside an engine that uses the same folders.
 */
final class WritableFolder {
  private WritableFolder() {}

  /** What stops a sink from writing in {@code folder} (made if missing), or null if nothing. */
  static String problem(Path folder) {
    Path existing = folder.toAbsolutePath().normalize();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return "no part of " + folder + " exists";
    }
    if (!Files.isDirectory(existing)) {
      return existing + " is not a folder";
    }
    if (!Files.isWritable(existing)) {
      return "cannot write in " + existing;
    }
    return null;
  }
}
