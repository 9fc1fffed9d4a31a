package io.leakwatch.alert;

import io.leakwatch.decision.Alert;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * Appends each alert as one JSON line and forces it to disk before returning, so an alert that was
 * reported written survives a crash. Idempotent across restarts: an alert (id and revision) the file
 * already holds is not written again, and a line cut short by a crash is closed off, not continued.
 */
public final class JsonLinesAlertSink implements AlertSink {
  private final Path file;
  private final FileChannel channel;
  private final Set<String> written = new HashSet<>();

  public JsonLinesAlertSink(Path file) throws IOException {
    this.file = file;
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    boolean cutShort = false;
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        try {
          if (!line.isBlank()) {
            written.add(AlertJson.fromJson(line).deliveryKey());
          }
        } catch (IOException | RuntimeException e) {
          // A torn last line from a crash; the alert it held is delivered again below it.
        }
      }
      cutShort = Files.size(file) > 0 && lastByte(file) != '\n';
    }
    this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    if (cutShort) {
      channel.write(ByteBuffer.wrap(new byte[] {'\n'}));
    }
  }

  private static int lastByte(Path file) throws IOException {
    try (FileChannel read = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer last = ByteBuffer.allocate(1);
      read.read(last, read.size() - 1);
      return last.get(0);
    }
  }

  public Path file() {
    return file;
  }

  @Override
  public void accept(Alert alert) throws IOException {
    if (!written.add(alert.deliveryKey())) {
      return;
    }
    ByteBuffer line = ByteBuffer.wrap((AlertJson.toJson(alert) + "\n").getBytes(StandardCharsets.UTF_8));
    while (line.hasRemaining()) {
      channel.write(line);
    }
    channel.force(false);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
