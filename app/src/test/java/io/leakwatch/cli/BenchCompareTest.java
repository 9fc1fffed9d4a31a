package io.leakwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench --compare DIR}: another pack over the same events, interleaved with the pack, and
 * whether it detects the same. What it prints, not how fast this machine is.
 */
class BenchCompareTest {
  private static final Path PACK = Path.of("../rules/pack");

  @Test
  void thePackAgainstItselfDetectsTheSameForEveryRule(@TempDir Path dir) throws IOException {
    Path copy = copyPack(dir.resolve("same"));
    CliRun run = benchAgainst(copy);
    assertEquals(0, run.exit(), run.err());
    assertEquals(1, count(run.out(), "(?m)^run 1 compared "), run.out());
    assertTrue(
        Pattern.compile(
                "(?m)^compared      .+: [\\d,]+ events/s; cpu per event \\d+\\.\\d µs,"
                    + " \\d+\\.\\d\\d of the pack's \\d+\\.\\d µs; .*retained heap \\d+\\.\\d MiB$")
            .matcher(run.out())
            .find(),
        run.out());
    assertTrue(run.out().contains("compared alerts the same count for every rule"), run.out());
  }

  /** A small bench of the default pack with {@code other} compared to it. */
  private static CliRun benchAgainst(Path other) {
    return CliRun.of(
        "bench",
        "--events",
        "6000",
        "--users",
        "300",
        "--no-bare",
        "--rules",
        PACK.toString(),
        "--compare",
        other.toString());
  }

  /** A pack without the bulk-read rule: its alerts are named as the difference. */
  @Test
  void aPackMissingARuleNamesThatRulesAlertsAsTheDifference(@TempDir Path dir) throws IOException {
    Path without = copyPack(dir.resolve("without"));
    deleteTree(without.resolve("bulk-phi-read"));
    CliRun run = benchAgainst(without);
    assertEquals(0, run.exit(), run.err());
    assertTrue(
        Pattern.compile("(?m)^compared alerts LW-001 [1-9]\\d* -> 0$").matcher(run.out()).find(),
        run.out());
  }

  private static Path copyPack(Path target) throws IOException {
    try (Stream<Path> files = Files.walk(PACK)) {
      for (Path source : files.toList()) {
        Files.copy(source, target.resolve(PACK.relativize(source).toString()));
      }
    }
    return target;
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }

  private static int count(String text, String regex) {
    return (int) Pattern.compile(regex).matcher(text).results().count();
  }
}
