package io.leakwatch.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leakwatch.checkpoint.AppendedLines;
import io.leakwatch.pubsub.ReceivedEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Where events go that the pipeline cannot process: one JSON line each with the topic, replay id,
 * event id, schema id and the reason. Never the payload: it may hold patient data.
 */
public interface DeadLetters extends AutoCloseable {
  void write(ReceivedEvent event, String reason);

  @Override
  default void close() {}

  /** For runs that keep no dead-letter file; the pipeline still counts every dead letter. */
  static DeadLetters none() {
    return (event, reason) -> {};
  }

  static DeadLetters toFile(Path file) {
    return new FileDeadLetters(file);
  }

  /** Appends and forces each line before returning. */
  final class FileDeadLetters implements DeadLetters {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final AppendedLines lines;

    FileDeadLetters(Path file) {
      try {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        lines = new AppendedLines(file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open dead-letter file " + file, e);
      }
    }

    @Override
    public synchronized void write(ReceivedEvent event, String reason) {
      ObjectNode line = JSON.createObjectNode();
      line.put("time", Instant.now().toString());
      line.put("topic", event.topic());
      line.put("replayId", event.replayId() == null ? null : event.replayId().toHex());
      line.put("eventId", event.eventId());
      line.put("schemaId", event.schemaId());
      line.put("reason", reason);
      try {
        // A line a full disk cut short is taken back (or ended first), so the retry stands alone.
        lines.append(JSON.writeValueAsString(line));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write dead letter", e);
      }
    }

    @Override
    public synchronized void close() {
      try {
        lines.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
