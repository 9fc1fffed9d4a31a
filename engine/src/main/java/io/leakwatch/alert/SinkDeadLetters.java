package io.leakwatch.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leakwatch.checkpoint.AppendedLines;
import io.leakwatch.checkpoint.DurableFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Payloads a receiver refused for good, one JSON line each ({@code at, sink, deliveryKey, reason,
 * payload}), forced to disk before the spool lets them go; a write that fails leaves no part line
 * (see {@link AppendedLines}). The payload is the alert as it was sent: ids, counts and names only,
 * so it can be sent again ({@link #putBackInto}) once the receiver is fixed.
 */
final class SinkDeadLetters implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;
  private final Clock clock;
  private AppendedLines lines;

  /** One dead letter as read back. */
  record Letter(String at, String deliveryKey, String payload) {}

  /** The file's dead letters, and its lines that are not one (torn by a crash, or damaged). */
  record Contents(List<Letter> letters, List<String> unreadable) {}

  /** What {@link #putBackInto} did. */
  record PutBack(int requeued, int alreadyRequeued, int unreadableKept) {}

  SinkDeadLetters(Path file, Clock clock) throws IOException {
    this.file = file;
    this.clock = clock;
    DurableFile.createFolders(file.toAbsolutePath().getParent());
    this.lines = new AppendedLines(file);
  }

  Path file() {
    return file;
  }

  void write(String sink, String deliveryKey, String reason, String payload) throws IOException {
    ObjectNode line = JSON.createObjectNode();
    line.put("at", clock.instant().toString());
    line.put("sink", sink);
    line.put("deliveryKey", deliveryKey);
    line.put("reason", reason);
    line.put("payload", payload);
    lines.append(line.toString());
  }

  /** Reads a dead-letter file; none when it does not exist. */
  static Contents read(Path file) throws IOException {
    List<Letter> letters = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    if (!Files.exists(file)) {
      return new Contents(letters, unreadable);
    }
    for (String line : LenientLines.read(file)) {
      if (line.isBlank()) {
        continue;
      }
      Letter letter = parse(line);
      if (letter == null) {
        unreadable.add(line);
      } else {
        letters.add(letter);
      }
    }
    return new Contents(letters, unreadable);
  }

  private static Letter parse(String line) {
    try {
      JsonNode node = JSON.readTree(line);
      if (node != null
          && node.hasNonNull("at")
          && node.hasNonNull("deliveryKey")
          && node.hasNonNull("payload")) {
        return new Letter(
            node.get("at").asText(),
            node.get("deliveryKey").asText(),
            node.get("payload").asText());
      }
    } catch (IOException e) {
      // torn or damaged: kept in the file as it is
    }
    return null;
  }

  /**
   * Puts every dead letter back into {@code spool}, then leaves in the file only the lines that are
   * not dead letters. The spool takes each dead letter once (by key and time), so a crash before
   * the file is rewritten, or a second run, sends nothing twice.
   */
  PutBack putBackInto(DeliverySpool spool) throws IOException {
    Contents contents = read(file);
    List<DeliverySpool.Requeued> letters = new ArrayList<>();
    for (Letter letter : contents.letters()) {
      letters.add(new DeliverySpool.Requeued(letter.deliveryKey(), letter.at(), letter.payload()));
    }
    int requeued = spool.requeueAll(letters);
    if (!contents.letters().isEmpty()) {
      StringBuilder kept = new StringBuilder();
      contents.unreadable().forEach(line -> kept.append(line).append('\n'));
      lines.close();
      try {
        DurableFile.replace(file, kept.toString().getBytes(StandardCharsets.UTF_8));
      } finally {
        // The new file, or the old one intact (a full disk): never left closed, or the next
        // refusal could not be written and its alert would be sent again and again.
        lines = new AppendedLines(file);
      }
    }
    return new PutBack(
        requeued, contents.letters().size() - requeued, contents.unreadable().size());
  }

  @Override
  public void close() throws IOException {
    lines.close();
  }
}
