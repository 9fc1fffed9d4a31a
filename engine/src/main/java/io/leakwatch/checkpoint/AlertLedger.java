package io.leakwatch.checkpoint;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The ids of alerts already delivered, kept on disk. Events between a checkpoint and a crash are
 * processed again after restart; their alerts carry the same ids (ids derive from the events), and
 * the ledger keeps them from being sent twice.
 */
public final class AlertLedger implements DeliveryLedger {
  private final Set<String> delivered = new LinkedHashSet<>();
  private final AppendedLines lines;
  private final Path file;

  public AlertLedger(Path file) throws IOException {
    this.file = file;
    Path dir = file.toAbsolutePath().getParent();
    DurableFile.createFolders(dir);
    if (Files.exists(file)) {
      try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        for (String line; (line = reader.readLine()) != null; ) {
          if (!line.isBlank()) {
            delivered.add(line.trim());
          }
        }
      }
    }
    lines = new AppendedLines(file);
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
    // A line a full disk cut short is taken back (or ended first), so the retry stands alone.
    lines.append(alertId);
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
    lines.close();
  }
}
