package io.leakwatch.rulepack;

import java.io.IOException;
import java.util.List;

/**
 * The files of a rule pack folder, named by '/'-separated paths relative to it: a folder on disk,
 * or the default pack inside the product jar (read with the jar's own index, not a zip file system
 * that would index all of its 55,000 entries first).
 */
interface PackFolder {
  /** The names of the folder's own entries, sorted. */
  List<String> list() throws IOException;

  boolean isFile(String path);

  boolean isDirectory(String path);

  /** Every regular file under {@code dir} (itself relative), sorted by path. */
  List<String> filesUnder(String dir) throws IOException;

  byte[] read(String path) throws IOException;

  /** The file as messages name it (and as rule sources record their origin). */
  String origin(String path);
}
