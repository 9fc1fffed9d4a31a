package io.leakwatch.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * What an engine wrote to its processed journal ({@code journalProcessed: true}): one line per
 * event processed, {@code <topic> <replay id> <event id>}, repeated when an event is processed
 * again after a restart. A missing file is an empty journal.
 */
public final class ProcessedJournalFile {
  private ProcessedJournalFile() {}

  /** The ids of the events processed at least once. */
  public static Set<String> ids(Path journal) {
    Set<String> ids = new HashSet<>();
    try {
      if (Files.exists(journal)) {
        for (String line : Files.readAllLines(journal)) {
          String[] parts = line.split(" ");
          if (parts.length == 3) {
            ids.add(parts[2]);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ids;
  }

  /** How many times events were processed, reprocessing included. */
  public static long lines(Path journal) {
    if (!Files.exists(journal)) {
      return 0;
    }
    try (var lines = Files.lines(journal)) {
      return lines.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
