package io.leakwatch.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * What the simulator's tests share: waiting for an asynchronous outcome, and a scratch copy of the
 * rule pack.
 */
public final class TestSupport {
  private TestSupport() {}

  /** Polls until {@code condition} holds; fails after a minute naming {@code what}. */
  public static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.sleep(20);
    }
  }

  /** Copies the default pack's source folder to {@code target}, for tests that edit rules. */
  public static Path copyPack(Path target) throws IOException {
    Path source = Path.of("../rules/pack");
    try (Stream<Path> files = Files.walk(source)) {
      for (Path file : files.toList()) {
        Path to = target.resolve(source.relativize(file).toString());
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
