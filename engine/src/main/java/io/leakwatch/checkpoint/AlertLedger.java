package io.leakwatch.checkpoint;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ids of alerts already delivered, kept on disk. Events between a checkpoint and a crash are
 * processed again after restart; their alerts carry the same ids (ids derive from the events), and
 * the ledger keeps them from being sent twice.
 *
 * <p>Only events Salesforce still keeps (72 hours) can be processed again, so an alert delivered
 * more than {@link #KEEP} ago is forgotten, from memory and from the file: neither grows with every
 * alert ever sent. The file holds one id a line, and once an hour a time mark {@code #
 * EPOCH_MILLIS} before the ids recorded after it (an older Leakwatch reads a mark as an id no alert
 * has). Ids before the first mark, written by an older Leakwatch, count from when this one first
 * opened them.
 */
public final class AlertLedger implements DeliveryLedger {
  private static final Logger LOG = LoggerFactory.getLogger(AlertLedger.class);

  /**
   * How long a delivered alert is remembered. Streams replay at most Salesforce's 72-hour
   * retention, but the LoginHistory poll resumes from the cursor saved with the learned state and
   * LoginHistory keeps months: an engine stopped for weeks reads those logins again. Alerts are few
   * a day, so a month costs little.
   */
  public static final Duration KEEP = Duration.ofDays(30);

  private static final long MARK_EVERY_MILLIS = Duration.ofHours(1).toMillis();
  private static final String MARK = "# ";

  /** Delivered ids, oldest first, each with the time mark it was recorded under. */
  private final Map<String, Long> delivered = new LinkedHashMap<>();

  private final Path file;
  private final Clock clock;
  private final long keepMillis;
  private AppendedLines lines;
  private long lastMark = Long.MIN_VALUE;

  public AlertLedger(Path file) throws IOException {
    this(file, Clock.systemUTC(), KEEP);
  }

  public AlertLedger(Path file, Clock clock, Duration keep) throws IOException {
    this.file = file;
    this.clock = clock;
    this.keepMillis = keep.toMillis();
    Path dir = file.toAbsolutePath().getParent();
    DurableFile.createFolders(dir);
    boolean unmarked = false;
    if (Files.exists(file)) {
      long opened = clock.millis();
      long mark = opened;
      try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        boolean first = true;
        for (String line; (line = reader.readLine()) != null; ) {
          String id = line.trim();
          if (id.isEmpty()) {
            continue;
          }
          Long marked = markOf(id);
          if (marked != null) {
            mark = marked;
            lastMark = marked;
          } else {
            unmarked |= first;
            delivered.remove(id); // recorded again: it counts from the later time
            delivered.put(id, mark);
          }
          first = false;
        }
      }
    }
    lines = new AppendedLines(file);
    if (unmarked || expiredAt(clock.millis())) {
      rewrite(clock.millis()); // dates the older form's ids, drops what has expired
    }
  }

  private static Long markOf(String line) {
    if (!line.startsWith(MARK)) {
      return null;
    }
    try {
      return Long.parseLong(line.substring(MARK.length()).trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  public boolean contains(String alertId) {
    return delivered.containsKey(alertId);
  }

  /** A file has one writer, its org's engine: nothing to claim, only whether it was delivered. */
  @Override
  public boolean claim(String deliveryKey) {
    return !contains(deliveryKey);
  }

  /** Records a delivered alert, durably, before the delivery counts as done. */
  @Override
  public void record(String alertId) throws IOException {
    if (delivered.containsKey(alertId)) {
      return;
    }
    long now = clock.millis();
    if (lastMark == Long.MIN_VALUE || now - lastMark >= MARK_EVERY_MILLIS || now < lastMark) {
      if (expiredAt(now)) {
        rewrite(now);
      }
      lines.append(MARK + now);
      lastMark = now;
    }
    // A line a full disk cut short is taken back (or ended first), so the retry stands alone.
    lines.append(alertId);
    delivered.put(alertId, lastMark);
  }

  private boolean expiredAt(long now) {
    Iterator<Long> oldest = delivered.values().iterator();
    return oldest.hasNext() && oldest.next() < now - keepMillis;
  }

  /**
   * Forgets the ids recorded before the horizon and writes the rest with their marks, atomically: a
   * crash leaves the old file or the new one. A failure is logged and tried again an hour later;
   * the ledger stays as it was.
   */
  private void rewrite(long now) throws IOException {
    delivered.values().removeIf(at -> at < now - keepMillis);
    StringBuilder text = new StringBuilder();
    long mark = Long.MIN_VALUE;
    for (Map.Entry<String, Long> id : delivered.entrySet()) {
      if (id.getValue() != mark) {
        mark = id.getValue();
        text.append(MARK).append(mark).append('\n');
      }
      text.append(id.getKey()).append('\n');
    }
    lines.close();
    try {
      DurableFile.replace(file, text.toString().getBytes(StandardCharsets.UTF_8));
      lastMark = mark;
    } catch (IOException e) {
      LOG.warn("alert ledger {}: cannot rewrite it without expired ids: {}", file, e.toString());
    } finally {
      lines = new AppendedLines(file); // the new file, or the old one intact
    }
  }

  /** Every delivery key remembered, in the order recorded. */
  public List<String> deliveredKeys() {
    return List.copyOf(delivered.keySet());
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
