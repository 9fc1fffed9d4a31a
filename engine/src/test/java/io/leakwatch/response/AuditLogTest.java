package io.leakwatch.response;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.checkpoint.DurableFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log's hash chain: an untouched file verifies, and every kind of tampering is found at
 * its line.
 */
class AuditLogTest {
  @TempDir Path dir;
  Path file;

  @BeforeEach
  void fiveEntries() throws IOException {
    file = dir.resolve("audit.jsonl");
    try (AuditLog log =
        AuditLog.open(file, Clock.fixed(Instant.parse("2026-03-10T12:00:00Z"), ZoneOffset.UTC))) {
      for (int i = 1; i <= 5; i++) {
        log.append(
            "requested",
            Map.of("actionId", "act-" + i, "userId", "005000000000001AAA", "attempts", i));
      }
    }
  }

  @Test
  void untouchedLogVerifiesAndReopeningContinuesTheChain() throws IOException {
    AuditLog.Verification first = AuditLog.verify(file);
    assertTrue(first.intact(), first.describe());
    assertEquals(5, first.entries());
    try (AuditLog log = AuditLog.open(file, Clock.systemUTC())) {
      assertEquals(5, log.existingEntries().size());
      log.append("approved", Map.of("actionId", "act-1", "actor", "alice"));
    }
    AuditLog.Verification second = AuditLog.verify(file);
    assertTrue(second.intact(), second.describe());
    assertEquals(6, second.entries());
    String line6 = lines().get(5);
    assertTrue(
        line6.contains("\"seq\":6") && line6.contains("\"prev\":\"" + first.headHash() + "\""),
        line6);
  }

  @Test
  void editingALineBreaksItsHash() throws IOException {
    List<String> lines = lines();
    lines.set(2, lines.get(2).replace("005000000000001AAA", "005000000000002AAA"));
    write(lines);
    assertBrokenAt(3);
  }

  @Test
  void editingALineAndItsHashBreaksTheNextLink() throws IOException {
    List<String> lines = lines();
    String edited = lines.get(1).replace("\"attempts\":2", "\"attempts\":9");
    int at = edited.lastIndexOf(",\"hash\":\"");
    String body = edited.substring(0, at) + "}";
    lines.set(1, edited.substring(0, at) + ",\"hash\":\"" + AuditLog.sha256(body) + "\"}");
    write(lines);
    assertBrokenAt(3);
  }

  @Test
  void deletingALineBreaksTheChainThere() throws IOException {
    List<String> lines = lines();
    lines.remove(2);
    write(lines);
    assertBrokenAt(3);
  }

  @Test
  void deletingTheFirstLineIsFound() throws IOException {
    List<String> lines = lines();
    lines.remove(0);
    write(lines);
    assertBrokenAt(1);
  }

  @Test
  void reorderingLinesIsFound() throws IOException {
    List<String> lines = lines();
    String second = lines.get(1);
    lines.set(1, lines.get(2));
    lines.set(2, second);
    write(lines);
    assertBrokenAt(2);
  }

  @Test
  void insertingALineIsFound() throws IOException {
    List<String> lines = lines();
    lines.add(3, lines.get(3));
    write(lines);
    assertBrokenAt(5);
  }

  @Test
  void aTruncatedLastLineIsFound() throws IOException {
    String text = Files.readString(file);
    Files.writeString(file, text.substring(0, text.length() - 10));
    assertBrokenAt(5);
  }

  @Test
  void aTamperedLogIsNotExtended() throws IOException {
    List<String> lines = lines();
    lines.remove(1);
    write(lines);
    String before = Files.readString(file);
    IOException refused =
        assertThrows(IOException.class, () -> AuditLog.open(file, Clock.systemUTC()));
    assertTrue(refused.getMessage().contains("line 2"), refused.getMessage());
    assertEquals(before, Files.readString(file));
  }

  private void assertBrokenAt(long line) throws IOException {
    AuditLog.Verification result = AuditLog.verify(file);
    assertFalse(result.intact(), "tampering went unnoticed");
    assertEquals(line, result.brokenLine(), result.describe());
  }

  private List<String> lines() throws IOException {
    return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  private void write(List<String> lines) throws IOException {
    Files.writeString(file, String.join("\n", lines) + "\n");
  }

  /**
   * A new log, and a new folder for it, are made to exist durably: a file's own force does not
   * record its name, so a power loss could take the whole trail with it.
   */
  @Test
  void aNewLogForcesTheFoldersItIsCreatedIn() throws IOException {
    List<Path> forced = new CopyOnWriteArrayList<>();
    DurableFile.onFolderForced(forced::add);
    try (AuditLog log = AuditLog.open(dir.resolve("audit/audit.jsonl"), Clock.systemUTC())) {
      assertTrue(forced.contains(dir.toAbsolutePath()), "the new folder in its parent: " + forced);
      assertTrue(forced.contains(dir.resolve("audit").toAbsolutePath()), "the new file: " + forced);
    } finally {
      DurableFile.onFolderForced(null);
    }
  }
}
