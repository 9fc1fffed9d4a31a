package io.leakwatch.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leakwatch.checkpoint.AppendedLines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Payloads a receiver refused for good, one JSON line each ({@code at, sink, deliveryKey, reason,
 * payload}), forced to disk before the spool lets them go; a write that fails leaves no part line
 * (see {@link AppendedLines}). The payload is the alert as it was sent: ids, counts and names only,
 * so it can be replayed by hand once the receiver is fixed.
 */
final class SinkDeadLetters implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;
  private final AppendedLines lines;
  private final Clock clock;

  SinkDeadLetters(Path file, Clock clock) throws IOException {
    this.file = file;
    this.clock = clock;
    Files.createDirectories(file.toAbsolutePath().getParent());
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

  @Override
  public void close() throws IOException {
    lines.close();
  }
}
