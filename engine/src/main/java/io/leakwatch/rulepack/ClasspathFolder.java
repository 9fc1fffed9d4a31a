package io.leakwatch.rulepack;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Map;

/**
 * The folder a resource sits in, as a {@link Path} whether the classes run from a build folder or
 * from inside the shaded jar: how the built-in rule pack and scenario library are listed.
 */
public final class ClasspathFolder {
  private ClasspathFolder() {}

  /**
   * The folder holding {@code marker} (a resource URL), opening the jar's file system if needed.
   */
  public static Path of(URL marker) throws IOException {
    try {
      URI uri = marker.toURI();
      if ("jar".equals(uri.getScheme())) {
        FileSystem jar;
        try {
          jar = FileSystems.newFileSystem(uri, Map.of());
        } catch (FileSystemAlreadyExistsException e) {
          jar = FileSystems.getFileSystem(uri);
        }
        return jar.provider().getPath(uri).getParent();
      }
      return Path.of(uri).getParent();
    } catch (URISyntaxException e) {
      throw new IOException("not a usable resource location: " + marker, e);
    }
  }
}
