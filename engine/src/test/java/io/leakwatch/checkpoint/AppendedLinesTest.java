package io.leakwatch.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppendedLinesTest {
  @TempDir Path dir;

  /** Many lines with one force: each offset is where its line starts, multi-byte text included. */
  @Test
  void linesAppendedTogetherStartWhereTheirOffsetsSay() throws Exception {
    Path file = dir.resolve("lines.jsonl");
    Files.writeString(file, "torn by a crash \u2026"); // no newline: the next line must stand alone
    List<String> lines = List.of("{\"reason\":\"a,b,\u2026\"}", "", "{\"k\":\"\uD83D\uDE00\"}");
    long[] starts;
    try (AppendedLines appended = new AppendedLines(file)) {
      starts = appended.appendAll(lines);
      assertEquals(0, appended.appendAll(List.of()).length);
    }
    byte[] bytes = Files.readAllBytes(file);
    for (int i = 0; i < lines.size(); i++) {
      byte[] line = lines.get(i).getBytes(StandardCharsets.UTF_8);
      byte[] atOffset = new byte[line.length];
      System.arraycopy(bytes, (int) starts[i], atOffset, 0, line.length);
      assertArrayEquals(line, atOffset, "line " + i);
      assertEquals('\n', bytes[(int) starts[i] + line.length]);
    }
    assertEquals(
        List.of("torn by a crash \u2026", lines.get(0), "", lines.get(2)),
        Files.readAllLines(file));
  }
}
