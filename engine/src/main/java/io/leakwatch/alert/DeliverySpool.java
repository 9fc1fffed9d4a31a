package io.leakwatch.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leakwatch.checkpoint.AppendedLines;
import io.leakwatch.checkpoint.DurableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk queue of one sink, in a folder of its own:
 *
 * <ul>
 *   <li>{@code pending.jsonl}: payloads accepted and not yet finished, one {@code
 *       {"key","payload","at"}} line each ({@code at}: when it was accepted, epoch millis), forced
 *       to disk before {@link #append} returns; an append that fails leaves no part line behind
 *       (see {@link AppendedLines});
 *   <li>{@code done.txt}: the entries finished (delivered or dead-lettered), forced to disk before
 *       the entry leaves the queue: the delivery key, or for a dead letter put back ({@link
 *       #requeue}) the key, a tab and when it was dead-lettered. It is what makes the sink
 *       idempotent across restarts.
 *   <li>{@code lock}: locked while the spool is open ({@link SpoolLock}), so no other sink or
 *       process drains the same queue.
 * </ul>
 *
 * A restart re-reads both and resumes with the pending entries not yet done, in order. Only each
 * entry's key and where its line is are kept in memory; the payload is read from {@code
 * pending.jsonl} when it is sent, so a receiver away for days costs mostly disk (each pending entry
 * still holds some 150-250 bytes of heap, and a start reads the file through). When the queue
 * empties, {@code pending.jsonl} is truncated so it does not grow without end. A line that cannot
 * be read is skipped and reported (a torn last line from a crash is expected: its alert was never
 * acknowledged, so the engine delivers it again). Not thread-safe: the owning sink serializes
 * access.
 */
final class DeliverySpool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeliverySpool.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param token what {@code done.txt} records when it is finished: the key, or for a dead letter
   *     put back, the key and when it was dead-lettered (the same key may be sent again once per
   *     dead letter, never twice for one)
   * @param acceptedAt when the spool took it (epoch millis); for a line written before the spool
   *     kept that, when the spool was opened again
   * @param offset where its line starts in {@code pending.jsonl}
   * @param length its line's length in bytes, without the line break
   */
  record Entry(String key, String token, long acceptedAt, long offset, int length) {}

  private final Path dir;
  private final Clock clock;
  private final AppendedLines pending;
  private final FileChannel pendingReader;
  private AppendedLines done;
  private final int keepFinished;
  private int finishedLines;
  // Entries finished since pending.jsonl was last emptied: their lines are still in it, so
  // done.txt must keep them, or a restart would send them again.
  private int finishedInPending;
  private final SpoolLock lock;
  private final Deque<Entry> queue = new ArrayDeque<>();
  private final Set<String> known = new HashSet<>();

  /**
   * How many finished entries {@code done.txt} (and memory) keeps, newest: enough to turn away an
   * alert the engine offers again after a crash between the spool taking it and the engine's ledger
   * recording it (the ledger keeps older ones from being offered at all).
   */
  static final int KEEP_FINISHED = 100_000;

  DeliverySpool(Path dir) throws IOException {
    this(dir, Clock.systemUTC());
  }

  DeliverySpool(Path dir, Clock clock) throws IOException {
    this(dir, clock, KEEP_FINISHED);
  }

  /**
   * @param keepFinished finished entries kept; once twice as many are in {@code done.txt} it is
   *     rewritten with the newest {@code keepFinished}
   */
  DeliverySpool(Path dir, Clock clock, int keepFinished) throws IOException {
    this(dir, clock, keepFinished, SpoolLockWait.NONE);
  }

  /**
   * @param lockWait how long to wait for the spool's lock when another process holds it
   */
  DeliverySpool(Path dir, Clock clock, int keepFinished, SpoolLockWait lockWait)
      throws IOException {
    this.dir = dir;
    this.clock = clock;
    this.keepFinished = keepFinished;
    DurableFile.createFolders(dir);
    this.lock = SpoolLock.take(dir, lockWait);
    AppendedLines pendingLines = null;
    FileChannel reader = null;
    try {
      Path pendingFile = dir.resolve("pending.jsonl");
      Path doneFile = dir.resolve("done.txt");
      load(pendingFile, doneFile);
      pendingLines = new AppendedLines(pendingFile);
      reader = FileChannel.open(pendingFile, StandardOpenOption.READ);
      this.done = new AppendedLines(doneFile);
      this.pending = pendingLines;
      this.pendingReader = reader;
    } catch (IOException | RuntimeException e) {
      if (pendingLines != null) {
        pendingLines.close();
      }
      if (reader != null) {
        reader.close();
      }
      lock.close();
      throw e;
    }
  }

  /** Reads what a previous run left: the finished keys, then the pending entries not finished. */
  private void load(Path pendingFile, Path doneFile) throws IOException {
    if (Files.exists(doneFile)) {
      for (String line : LenientLines.read(doneFile)) {
        if (!line.isBlank()) {
          known.add(line.strip());
          finishedLines++;
        }
      }
    }
    if (Files.exists(pendingFile)) {
      List<Integer> unreadable = new ArrayList<>();
      long opened = clock.millis();
      int[] count = {0};
      OffsetLines.read(
          pendingFile,
          (offset, line, length) -> {
            count[0]++;
            if (line.isBlank()) {
              return;
            }
            Entry entry = parse(line, opened, offset, length);
            if (entry == null) {
              unreadable.add(count[0]);
            } else if (known.add(entry.token())) {
              queue.add(entry);
            } else {
              finishedInPending++;
            }
          });
      if (!unreadable.isEmpty()) {
        // A torn last line from a crash was never acknowledged to the engine, which delivers it
        // again; any other unreadable line is damage the operator should know of.
        LOG.warn(
            "spool {}: skipped {} unreadable line(s) of pending.jsonl (line {} of {}); a line torn"
                + " by a crash is delivered again by the engine",
            dir,
            unreadable.size(),
            unreadable.size() == 1 ? unreadable.get(0) : unreadable,
            count[0]);
      }
    }
  }

  private static Entry parse(String line, long opened, long offset, int length) {
    try {
      JsonNode node = JSON.readTree(line);
      if (node != null && node.hasNonNull("key") && node.hasNonNull("payload")) {
        long at = node.hasNonNull("at") ? node.get("at").asLong(opened) : opened;
        String key = node.get("key").asText();
        String token = node.hasNonNull("token") ? node.get("token").asText() : key;
        return new Entry(key, token, at, offset, length);
      }
    } catch (IOException e) {
      // torn or damaged line: reported by the caller
    }
    return null;
  }

  Path dir() {
    return dir;
  }

  /** Whether this key was ever accepted (pending, delivered or dead). */
  boolean contains(String key) {
    return known.contains(key);
  }

  /** Whether {@code key} waits in the queue, not finished (a scan: for rare callers). */
  boolean pending(String key) {
    return queue.stream().anyMatch(entry -> entry.key().equals(key));
  }

  /** Takes the entry durably, or throws and has not taken it (the file is as it was). */
  void append(String key, String payload) throws IOException {
    long at = clock.millis();
    String line =
        JSON.createObjectNode().put("key", key).put("payload", payload).put("at", at).toString();
    long offset = pending.append(line);
    known.add(key);
    queue.add(new Entry(key, key, at, offset, utf8Length(line)));
  }

  /**
   * Takes a dead letter back, durably, to be sent again: false when this dead letter (its key and
   * when it was dead-lettered) was already taken back, so putting it back twice sends it once.
   */
  boolean requeue(String key, String deadLetteredAt, String payload) throws IOException {
    return requeueAll(List.of(new Requeued(key, deadLetteredAt, payload))) == 1;
  }

  /** A dead letter going back into the queue: its key, when it was refused, its payload. */
  record Requeued(String key, String deadLetteredAt, String payload) {}

  /**
   * {@link #requeue} for many, written with one force: thousands of dead letters put back take one
   * disk flush, not one each, while the sink's lock is held.
   *
   * @return how many were put back (the others were put back before)
   */
  int requeueAll(List<Requeued> letters) throws IOException {
    long at = clock.millis();
    List<String> lines = new ArrayList<>();
    List<Entry> entries = new ArrayList<>();
    Set<String> taken = new HashSet<>();
    for (Requeued letter : letters) {
      String token = letter.key() + "\t" + letter.deadLetteredAt();
      if (known.contains(token) || !taken.add(token)) {
        continue;
      }
      String line =
          JSON.createObjectNode()
              .put("key", letter.key())
              .put("token", token)
              .put("payload", letter.payload())
              .put("at", at)
              .toString();
      lines.add(line);
      entries.add(new Entry(letter.key(), token, at, 0, utf8Length(line)));
    }
    long[] offsets = pending.appendAll(lines);
    for (int i = 0; i < entries.size(); i++) {
      Entry entry = entries.get(i);
      known.add(entry.token());
      queue.add(
          new Entry(entry.key(), entry.token(), entry.acceptedAt(), offsets[i], entry.length()));
    }
    return entries.size();
  }

  private static int utf8Length(String line) {
    return line.getBytes(StandardCharsets.UTF_8).length;
  }

  Entry peek() {
    return queue.peek();
  }

  /** The payload of a pending entry, read back from {@code pending.jsonl}. */
  String payload(Entry entry) throws IOException {
    ByteBuffer bytes = ByteBuffer.allocate(entry.length());
    while (bytes.hasRemaining()) {
      if (pendingReader.read(bytes, entry.offset() + bytes.position()) < 0) {
        throw new IOException("pending.jsonl ends before the entry " + entry.key());
      }
    }
    JsonNode node;
    try {
      node = JSON.readTree(new String(bytes.array(), StandardCharsets.UTF_8));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      // Jackson's message quotes the text it could not parse: never an alert's content in a log.
      node = null;
    }
    if (node == null || !entry.key().equals(node.path("key").asText(null))) {
      throw new IOException(
          "pending.jsonl does not hold the entry " + entry.key() + " where it was");
    }
    return node.get("payload").asText();
  }

  /** The head entry is finished (delivered or dead-lettered). */
  void finishHead() throws IOException {
    Entry head = queue.peek();
    if (head == null) {
      return;
    }
    done.append(head.token());
    finishedLines++;
    finishedInPending++;
    queue.poll();
    if (finishedLines - keptFinished() > keepFinished) {
      try {
        forgetOldestFinished();
      } catch (IOException e) {
        // Only memory and disk are at stake, not an alert: tried again after as many more.
        LOG.warn("spool {}: cannot rewrite done.txt shorter: {}", dir, e.toString());
        finishedLines = keptFinished();
      }
    }
    if (queue.isEmpty()) {
      // Everything in pending.jsonl is in done.txt now; a crash before this truncate only re-reads
      // finished entries.
      pending.clear();
      finishedInPending = 0;
    }
  }

  /**
   * How many of the newest finished entries done.txt keeps when rewritten: {@link #keepFinished},
   * and never fewer than those whose lines pending.jsonl still holds (a receiver that never lets
   * the queue run empty keeps them all until it does).
   */
  private int keptFinished() {
    return Math.max(keepFinished, finishedInPending);
  }

  /**
   * Rewrites {@code done.txt} with the newest {@link #keptFinished()} entries and forgets the rest,
   * so neither the file nor memory grows with every alert ever sent. Atomic: a crash leaves the old
   * file or the new one.
   */
  private void forgetOldestFinished() throws IOException {
    Path doneFile = dir.resolve("done.txt");
    List<String> lines = new ArrayList<>();
    for (String line : LenientLines.read(doneFile)) {
      if (!line.isBlank()) {
        lines.add(line.strip());
      }
    }
    List<String> kept = lines.subList(Math.max(0, lines.size() - keptFinished()), lines.size());
    done.close();
    try {
      DurableFile.replace(
          doneFile, (String.join("\n", kept) + "\n").getBytes(StandardCharsets.UTF_8));
    } finally {
      done = new AppendedLines(doneFile); // the new file, or the old one intact
    }
    known.clear();
    known.addAll(kept);
    for (Entry entry : queue) {
      known.add(entry.key());
      known.add(entry.token());
    }
    finishedLines = kept.size();
  }

  /**
   * How many of the entries finished last (newest first, until the first that is not) are among
   * {@code keys}: after a restart, how many alerts were refused in a row since the last delivered.
   */
  int finishedLastAmong(Set<String> keys) throws IOException {
    Path doneFile = dir.resolve("done.txt");
    if (keys.isEmpty() || !Files.exists(doneFile)) {
      return 0;
    }
    int run = 0;
    for (String line : LenientLines.read(doneFile)) {
      if (line.isBlank()) {
        continue;
      }
      String key = line.strip();
      int tab = key.indexOf('\t');
      run = keys.contains(tab < 0 ? key : key.substring(0, tab)) ? run + 1 : 0;
    }
    return run;
  }

  int size() {
    return queue.size();
  }

  /** When the oldest pending entry was accepted (epoch millis), 0 when none is pending. */
  long oldestAcceptedAt() {
    Entry head = queue.peek();
    return head == null ? 0 : head.acceptedAt();
  }

  List<Entry> pendingEntries() {
    return List.copyOf(queue);
  }

  @Override
  public void close() throws IOException {
    try (SpoolLock held = lock;
        AppendedLines d = done;
        AppendedLines p = pending;
        FileChannel r = pendingReader) {
      // closed in reverse: the lock last, once nothing more is written
    }
  }
}
