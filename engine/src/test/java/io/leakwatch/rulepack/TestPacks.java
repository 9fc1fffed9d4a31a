package io.leakwatch.rulepack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Scratch copies of the default rule pack, for tests that edit rules. Shared by every module's
 * tests through the engine's test-jar.
 */
public final class TestPacks {
  /** The pack's source folder; each module's tests run in that module's folder. */
  private static final Path SOURCE = Path.of("../rules/pack");

  private TestPacks() {}

  /** Copies the default pack's source folder to {@code target}; returns {@code target}. */
  public static Path copyDefaultPack(Path target) throws IOException {
    try (Stream<Path> files = Files.walk(SOURCE)) {
      for (Path file : files.toList()) {
        Path to = target.resolve(SOURCE.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(to);
        } else {
          Files.copy(file, to);
        }
      }
    }
    return target;
  }
}
