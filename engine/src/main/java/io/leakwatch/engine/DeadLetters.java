package io.leakwatch.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leakwatch.pubsub.ReceivedEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
    private final FileChannel channel;

    FileDeadLetters(Path file) {
      try {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        channel =
            FileChannel.open(
                file,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
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
      long before = -1;
      try {
        ByteBuffer bytes =
            ByteBuffer.wrap(
                (JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
        before = channel.size();
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(false);
      } catch (IOException e) {
        // A line half written (a full disk) is taken back, so the next try does not run into it.
        if (before >= 0) {
          try {
            channel.truncate(before);
          } catch (IOException ignored) {
            // The line stays torn; the letter is still written again, whole, after it.
          }
        }
        throw new UncheckedIOException("cannot write dead letter", e);
      }
    }

    @Override
    public synchronized void close() {
      try {
        channel.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
