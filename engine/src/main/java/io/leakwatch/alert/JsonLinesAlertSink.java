package io.leakwatch.alert;

import io.leakwatch.decision.Alert;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends each alert as one JSON line and forces it to disk before returning, so an alert that was
 * reported written survives a crash.
 */
public final class JsonLinesAlertSink implements AlertSink {
  private final Path file;
  private final FileChannel channel;

  public JsonLinesAlertSink(Path file) throws IOException {
    this.file = file;
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  public Path file() {
    return file;
  }

  @Override
  public void accept(Alert alert) throws IOException {
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
