package io.leakwatch.checkpoint;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The ids of alerts already delivered, kept on disk. Events between a checkpoint and a crash are
 * processed again after restart; their alerts carry the same ids (ids derive from the events), and
 * the ledger keeps them from being sent twice.
 */
public final class AlertLedger implements AutoCloseable {
  private final Set<String> delivered = new LinkedHashSet<>();
  private final FileChannel channel;

  public AlertLedger(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    if (Files.exists(file)) {
      try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        for (String line; (line = reader.readLine()) != null; ) {
          if (!line.isBlank()) {
            delivered.add(line.trim());
          }
        }
      }
    }
    channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  public boolean contains(String alertId) {
    return delivered.contains(alertId);
  }

  /** Records a delivered alert, durably, before the delivery counts as done. */
  public void record(String alertId) throws IOException {
    if (delivered.add(alertId)) {
      ByteBuffer line = ByteBuffer.wrap((alertId + "\n").getBytes(StandardCharsets.UTF_8));
      while (line.hasRemaining()) {
        channel.write(line);
      }
      channel.force(false);
    }
  }

  public int size() {
    return delivered.size();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
