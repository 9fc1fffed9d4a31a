package io.leakwatch.api;

import io.leakwatch.alert.AlertJson;
import io.leakwatch.alert.AlertSink;
import io.leakwatch.decision.Alert;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The alerts {@code /alerts} answers from: those delivered since start (the newest {@code
 * capacity}, in memory, with the org they came from) and, when one is configured, the JSON Lines
 * alerts file, which holds every alert ever delivered but not which org raised it.
 */
public final class AlertHistory {
  /** Newest first; ties broken by id, then revision, so paging is stable. */
  static final Comparator<Entry> NEWEST_FIRST =
      Comparator.comparingLong((Entry e) -> e.alert().detectedAt())
          .thenComparing(e -> e.alert().id())
          .thenComparingInt(e -> e.alert().revision())
          .reversed();

  private final Deque<Entry> recent = new ArrayDeque<>();
  private final int capacity;
  private final Path file;

  /**
   * @param file the JSON Lines alerts file, or null
   */
  public AlertHistory(int capacity, Path file) {
    this.capacity = capacity;
    this.file = file;
  }

  /**
   * @param org null when unknown (read back from the file)
   */
  public record Entry(String org, Alert alert) {}

  /** A sink to put among an org's sinks: records what that org delivered. */
  public AlertSink sinkFor(String org) {
    return alert -> record(org, alert);
  }

  public synchronized void record(String org, Alert alert) {
    recent.addLast(new Entry(org, alert));
    while (recent.size() > capacity) {
      recent.removeFirst();
    }
  }

  public Path file() {
    return file;
  }

  /**
   * Everything known, one entry per alert revision, newest first. Reads the file: blocking. A line
   * that does not parse is skipped and counted in {@code unreadable}.
   */
  public List<Entry> all(int[] unreadable) throws IOException {
    Map<String, Entry> byKey = new LinkedHashMap<>();
    if (file != null) {
      try (BufferedReader lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          if (line.isBlank()) {
            continue;
          }
          try {
            Alert alert = AlertJson.fromJson(line);
            byKey.put(alert.deliveryKey(), new Entry(null, alert));
          } catch (IOException | RuntimeException e) {
            unreadable[0]++;
          }
        }
      } catch (NoSuchFileException e) {
        // No alert written yet.
      }
    }
    synchronized (this) {
      // The in-memory copy knows the org, so it wins over the file's copy of the same revision.
      recent.forEach(entry -> byKey.put(entry.alert().deliveryKey(), entry));
    }
    List<Entry> all = new ArrayList<>(byKey.values());
    all.sort(NEWEST_FIRST);
    return all;
  }
}
