package io.leakwatch.drill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The drill history: one JSON line per drill, appended and forced to disk, so a report can show the
 * trend across quarters. A line that does not read is reported and left in place, never rewritten.
 */
public final class DrillHistory {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One drill as the history keeps it. */
  public record Entry(
      Instant finishedAt,
      double passRate,
      int passed,
      int scenarios,
      long timeToDetectP50Millis,
      long timeToDetectMaxMillis,
      int falsePositives,
      String rulePackSha256,
      long seed,
      String report) {

    static Entry of(DrillReport report, String reportDir) {
      DrillReport.Figures f = report.figures();
      return new Entry(
          report.evidence().finishedAt(),
          f.passRate(),
          f.passed(),
          f.scenarios(),
          f.timeToDetectP50Millis(),
          f.timeToDetectMaxMillis(),
          f.falsePositives(),
          report.evidence().rulePackSha256(),
          report.evidence().seed(),
          reportDir);
    }

    String toJson() {
      ObjectNode node = JSON.createObjectNode();
      node.put("finishedAt", finishedAt.toString());
      node.put("passRate", passRate);
      node.put("passed", passed);
      node.put("scenarios", scenarios);
      node.put("timeToDetectP50Millis", timeToDetectP50Millis);
      node.put("timeToDetectMaxMillis", timeToDetectMaxMillis);
      node.put("falsePositives", falsePositives);
      node.put("rulePackSha256", rulePackSha256);
      node.put("seed", seed);
      node.put("report", report);
      return node.toString();
    }

    static Entry fromJson(String line) throws IOException {
      JsonNode n = JSON.readTree(line);
      if (n == null || !n.isObject() || !n.hasNonNull("finishedAt") || !n.hasNonNull("passRate")) {
        throw new IOException("not a drill history entry");
      }
      return new Entry(
          Instant.parse(n.get("finishedAt").asText()),
          n.get("passRate").asDouble(),
          n.path("passed").asInt(),
          n.path("scenarios").asInt(),
          n.path("timeToDetectP50Millis").asLong(-1),
          n.path("timeToDetectMaxMillis").asLong(-1),
          n.path("falsePositives").asInt(),
          n.path("rulePackSha256").asText(""),
          n.path("seed").asLong(),
          n.path("report").asText(""));
    }
  }

  /** The entries of a history file, and the lines that did not read (by number, with why). */
  public record Read(List<Entry> entries, List<String> problems) {}

  private DrillHistory() {}

  public static Read read(Path file) throws IOException {
    List<Entry> entries = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    if (!Files.exists(file)) {
      return new Read(entries, problems);
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      try {
        entries.add(Entry.fromJson(line));
      } catch (IOException | RuntimeException e) {
        problems.add(file + " line " + (i + 1) + ": not a drill history entry, skipped");
      }
    }
    return new Read(entries, problems);
  }

  public static void append(Path file, Entry entry) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      // A previous writer cut off mid-line must not glue its fragment to this entry.
      String prefix = channel.size() > 0 && !endsWithNewline(file) ? "\n" : "";
      channel.write(
          ByteBuffer.wrap((prefix + entry.toJson() + "\n").getBytes(StandardCharsets.UTF_8)));
      channel.force(true);
    }
  }

  private static boolean endsWithNewline(Path file) throws IOException {
    try (FileChannel read = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer last = ByteBuffer.allocate(1);
      read.read(last, read.size() - 1);
      return last.get(0) == '\n';
    }
  }
}
