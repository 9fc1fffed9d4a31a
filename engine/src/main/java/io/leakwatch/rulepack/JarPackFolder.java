package io.leakwatch.rulepack;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * A pack folder inside a jar, read whole when opened: the default pack is about 140 small files.
 * Origins are the files' paths inside the jar ({@code /leakwatch/rules/...}).
 */
final class JarPackFolder implements PackFolder {
  /** File path relative to the folder to its bytes. */
  private final NavigableMap<String, byte[]> files = new TreeMap<>();

  private final String prefix;

  /**
   * @param folder the folder's path inside the jar, without leading slash, e.g. {@code
   *     leakwatch/rules}
   */
  JarPackFolder(Path jarFile, String folder) throws IOException {
    this.prefix = folder.endsWith("/") ? folder : folder + "/";
    try (JarFile jar = new JarFile(jarFile.toFile())) {
      for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
        JarEntry entry = entries.nextElement();
        String name = entry.getName();
        if (!entry.isDirectory() && name.startsWith(prefix)) {
          try (InputStream in = jar.getInputStream(entry)) {
            files.put(name.substring(prefix.length()), in.readAllBytes());
          }
        }
      }
    }
  }

  @Override
  public List<String> list() {
    TreeSet<String> names = new TreeSet<>();
    for (String path : files.keySet()) {
      int slash = path.indexOf('/');
      names.add(slash < 0 ? path : path.substring(0, slash));
    }
    return new ArrayList<>(names);
  }

  @Override
  public boolean isFile(String path) {
    return files.containsKey(path);
  }

  @Override
  public boolean isDirectory(String path) {
    String under = path + "/";
    String next = files.ceilingKey(under);
    return next != null && next.startsWith(under);
  }

  @Override
  public List<String> filesUnder(String dir) {
    String under = dir + "/";
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : files.tailMap(under, true).entrySet()) {
      if (!e.getKey().startsWith(under)) {
        break;
      }
      out.add(e.getKey());
    }
    return out;
  }

  @Override
  public byte[] read(String path) throws IOException {
    byte[] bytes = files.get(path);
    if (bytes == null) {
      throw new java.nio.file.NoSuchFileException(origin(path));
    }
    return bytes;
  }

  @Override
  public String origin(String path) {
    return path.isEmpty() ? "/" + prefix.substring(0, prefix.length() - 1) : "/" + prefix + path;
  }
}
