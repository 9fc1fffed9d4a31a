package io.leakwatch.rulepack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** A pack folder on disk (or in any file system a {@link Path} reaches). */
final class DiskPackFolder implements PackFolder {
  private final Path root;

  DiskPackFolder(Path root) {
    this.root = root;
  }

  @Override
  public List<String> list() throws IOException {
    try (Stream<Path> entries = Files.list(root)) {
      return entries.map(p -> p.getFileName().toString().replace("/", "")).sorted().toList();
    }
  }

  @Override
  public boolean isFile(String path) {
    return Files.isRegularFile(root.resolve(path));
  }

  @Override
  public boolean isDirectory(String path) {
    return Files.isDirectory(root.resolve(path));
  }

  @Override
  public List<String> filesUnder(String dir) throws IOException {
    try (Stream<Path> files = Files.walk(root.resolve(dir))) {
      return files
          .filter(Files::isRegularFile)
          .sorted()
          .map(f -> root.relativize(f).toString().replace('\\', '/'))
          .toList();
    }
  }

  @Override
  public byte[] read(String path) throws IOException {
    return Files.readAllBytes(root.resolve(path));
  }

  @Override
  public String origin(String path) {
    return path.isEmpty() ? root.toString() : root.resolve(path).toString();
  }
}
