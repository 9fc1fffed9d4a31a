package io.leakwatch.response;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leakwatch.checkpoint.DurableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The response actions' audit trail: append-only JSON Lines, one entry per line, each forced to
 * disk before {@link #append} returns. Every entry carries {@code seq}, {@code time}, the previous
 * entry's hash ({@code prev}) and its own ({@code hash}, SHA-256 of the line as written without the
 * hash field), so editing, deleting, inserting or reordering a line breaks the chain at that line.
 * Entries hold ids, names and outcomes only: never patient data, never a token.
 */
public final class AuditLog implements AutoCloseable {
  /** The {@code prev} of the first entry. */
  public static final String GENESIS = "0".repeat(64);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HASH_FIELD = ",\"hash\":\"";

  private final Path file;
  private final Clock clock;
  private final FileChannel channel;
  private final List<JsonNode> existing;
  private String lastHash;
  private long seq;

  private AuditLog(
      Path file, Clock clock, FileChannel channel, List<JsonNode> existing, String lastHash) {
    this.file = file;
    this.clock = clock;
    this.channel = channel;
    this.existing = existing;
    this.lastHash = lastHash;
    this.seq = existing.size();
  }

  /**
   * Opens (or creates) the log and checks its chain first: a log that was tampered with is refused,
   * naming the first broken line, rather than extended.
   */
  public static AuditLog open(Path file, Clock clock) throws IOException {
    // A new log (and folder) exists durably, not only the entries forced into it.
    DurableFile.createFolders(file.toAbsolutePath().getParent());
    List<JsonNode> entries = new ArrayList<>();
    Verification check = verify(file, entries);
    if (!check.intact()) {
      throw new IOException(
          file
              + " is not an intact audit log ("
              + check.describe()
              + "); refusing to append to it");
    }
    FileChannel channel = DurableFile.openForAppend(file);
    return new AuditLog(file, clock, channel, entries, check.headHash());
  }

  public Path file() {
    return file;
  }

  /**
   * The entries the file held when it was opened, oldest first, to rebuild state after a restart.
   */
  public List<JsonNode> existingEntries() {
    return List.copyOf(existing);
  }

  /**
   * Appends one entry with {@code fields} (values: strings, numbers, booleans; nulls are left out)
   * and forces it to disk.
   */
  public synchronized void append(String event, Map<String, ?> fields) throws IOException {
    ObjectNode node = JSON.createObjectNode();
    node.put("seq", seq + 1);
    node.put("time", clock.instant().toString());
    node.put("event", event);
    fields.forEach(
        (name, value) -> {
          if (value instanceof Number n) {
            node.put(name, n.longValue());
          } else if (value instanceof Boolean b) {
            node.put(name, b);
          } else if (value != null) {
            node.put(name, value.toString());
          }
        });
    node.put("prev", lastHash);
    String body = JSON.writeValueAsString(node);
    String hash = sha256(body);
    String line = body.substring(0, body.length() - 1) + HASH_FIELD + hash + "\"}\n";
    ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
    channel.force(true);
    lastHash = hash;
    seq++;
  }

  @Override
  public synchronized void close() throws IOException {
    channel.close();
  }

  /**
   * The result of checking a log.
   *
   * @param entries intact entries before the first problem
   * @param brokenLine the first line that breaks the chain (1-based), or 0 when intact
   * @param headHash the last intact entry's hash: compare it with a copy kept elsewhere to notice
   *     lines cut from the end, which no chain can reveal on its own
   */
  public record Verification(long entries, long brokenLine, String problem, String headHash) {
    public boolean intact() {
      return brokenLine == 0;
    }

    public String describe() {
      return intact()
          ? entries + " entries, chain intact, head " + headHash
          : "line " + brokenLine + ": " + problem;
    }
  }

  /** Checks every line's hash, sequence number and link to the line before it. */
  public static Verification verify(Path file) throws IOException {
    return verify(file, new ArrayList<>());
  }

  private static Verification verify(Path file, List<JsonNode> entries) throws IOException {
    if (!Files.exists(file)) {
      return new Verification(0, 0, null, GENESIS);
    }
    String text = Files.readString(file, StandardCharsets.UTF_8);
    if (text.isEmpty()) {
      return new Verification(0, 0, null, GENESIS);
    }
    String[] lines = text.split("\n", -1);
    String prev = GENESIS;
    int last = lines.length - 1; // after the final newline: must be empty
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      long number = i + 1;
      if (i == last) {
        if (!line.isEmpty()) {
          return new Verification(
              entries.size(),
              number,
              "incomplete last line (no line end): a write was cut short or the file was edited",
              prev);
        }
        break;
      }
      int at = line.lastIndexOf(HASH_FIELD);
      if (at < 0 || !line.endsWith("\"}") || line.length() != at + HASH_FIELD.length() + 64 + 2) {
        return new Verification(entries.size(), number, "no hash at the end of the line", prev);
      }
      String hash = line.substring(at + HASH_FIELD.length(), at + HASH_FIELD.length() + 64);
      String body = line.substring(0, at) + "}";
      if (!sha256(body).equals(hash)) {
        return new Verification(
            entries.size(), number, "the line's content does not match its hash (edited)", prev);
      }
      JsonNode node;
      try {
        node = JSON.readTree(body);
      } catch (JsonProcessingException e) {
        return new Verification(entries.size(), number, "not a JSON object", prev);
      }
      if (!prev.equals(node.path("prev").asText())) {
        return new Verification(
            entries.size(),
            number,
            number == 1
                ? "the first line does not start the chain (lines were deleted before it)"
                : "does not follow line "
                    + (number - 1)
                    + " (a line was deleted, inserted or moved here)",
            prev);
      }
      if (node.path("seq").asLong() != number) {
        return new Verification(
            entries.size(),
            number,
            "sequence number " + node.path("seq").asLong() + " where " + number + " belongs",
            prev);
      }
      entries.add(node);
      prev = hash;
    }
    return new Verification(entries.size(), 0, null, prev);
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
