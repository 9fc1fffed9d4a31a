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
public final class AlertLedger implements DeliveryLedger {
  private final Set<String> delivered = new LinkedHashSet<>();
  private final FileChannel channel;
  private final Path file;
  private boolean torn;

  public AlertLedger(Path file) throws IOException {
    this.file = file;
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

  /** A file has one writer, its org's engine: nothing to claim, only whether it was delivered. */
  @Override
  public boolean claim(String deliveryKey) {
    return !contains(deliveryKey);
  }

  /** Records a delivered alert, durably, before the delivery counts as done. */
  @Override
  public void record(String alertId) throws IOException {
    if (delivered.contains(alertId)) {
      return;
    }
    long before = channel.size();
    String text = (torn ? "\n" : "") + alertId + "\n";
    ByteBuffer line = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    try {
      while (line.hasRemaining()) {
        channel.write(line);
      }
      channel.force(false);
    } catch (IOException e) {
      // Not recorded: take back a partial line (a full disk) so the retry writes a whole one.
      try {
        channel.truncate(before);
      } catch (IOException truncateFailed) {
        torn = true; // the retry first ends the torn line, so its own line stands alone
      }
      throw e;
    }
    torn = false;
    delivered.add(alertId);
  }

  /** Every delivery key recorded, in the order recorded. */
  public java.util.List<String> deliveredKeys() {
    return java.util.List.copyOf(delivered);
  }

  public Path file() {
    return file;
  }

  @Override
  public String describe() {
    return file.toString();
  }

  public int size() {
    return delivered.size();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
