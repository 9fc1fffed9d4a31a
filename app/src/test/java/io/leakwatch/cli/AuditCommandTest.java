package io.leakwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.response.AuditLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code leakwatch audit verify FILE}: exit 0 for an intact log, 1 naming the first broken line, 2
 * for no file.
 */
class AuditCommandTest {
  @TempDir Path dir;

  @Test
  void verifiesAnIntactLogAndNamesTheFirstBrokenLine() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (AuditLog log = AuditLog.open(file, Clock.systemUTC())) {
      for (int i = 1; i <= 4; i++) {
        log.append("requested", Map.of("actionId", "act-" + i, "action", "freezeUser"));
      }
    }
    CliRun intact = CliRun.of("audit", "verify", file.toString());
    assertEquals(0, intact.exit(), intact.out() + intact.err());
    assertTrue(intact.out().contains("OK, 4 entries"), intact.out());

    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.set(1, lines.get(1).replace("freezeUser", "endSession"));
    Files.writeString(file, String.join("\n", lines) + "\n");
    CliRun broken = CliRun.of("audit", "verify", file.toString());
    assertEquals(1, broken.exit());
    assertTrue(broken.out().contains("BROKEN at line 2"), broken.out());

    assertEquals(2, CliRun.of("audit", "verify", dir.resolve("missing.jsonl").toString()).exit());
    assertEquals(2, CliRun.of("audit").exit());
  }
}
