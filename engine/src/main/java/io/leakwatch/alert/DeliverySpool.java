package io.leakwatch.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The on-disk queue of one sink, in a folder of its own:
 *
 * <ul>
 *   <li>{@code pending.jsonl}: payloads accepted and not yet finished, one {@code
 *       {"key","payload"}} line each, forced to disk before {@link #append} returns;
 *   <li>{@code done.txt}: the delivery keys finished (delivered or dead-lettered), forced to disk
 *       before the entry leaves the queue. It is what makes the sink idempotent across restarts.
 * </ul>
 *
 * A restart re-reads both and resumes with the pending entries not yet done, in order. When the
 * queue empties, {@code pending.jsonl} is truncated so it does not grow without end. Not
 * thread-safe: the owning sink serializes access.
 */
final class DeliverySpool implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  record Entry(String key, String payload) {}

  private final Path dir;
  private final FileChannel pending;
  private final FileChannel done;
  private final Deque<Entry> queue = new ArrayDeque<>();
  private final Set<String> known = new HashSet<>();

  DeliverySpool(Path dir) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir);
    Path pendingFile = dir.resolve("pending.jsonl");
    Path doneFile = dir.resolve("done.txt");
    Set<String> finished = new HashSet<>();
    if (Files.exists(doneFile)) {
      for (String line : Files.readAllLines(doneFile, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          finished.add(line.strip());
        }
      }
    }
    known.addAll(finished);
    if (Files.exists(pendingFile)) {
      for (String line : Files.readAllLines(pendingFile, StandardCharsets.UTF_8)) {
        Entry entry = parse(line);
        // A torn line from a crash was never acknowledged to the engine, which delivers it again.
        if (entry != null && known.add(entry.key())) {
          queue.add(entry);
        }
      }
    }
    this.pending =
        FileChannel.open(
            pendingFile,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.APPEND);
    this.done =
        FileChannel.open(
            doneFile,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.APPEND);
    closeTornLine(pendingFile, pending);
    closeTornLine(doneFile, done);
  }

  private static Entry parse(String line) {
    if (line.isBlank()) {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(line);
      if (node != null && node.hasNonNull("key") && node.hasNonNull("payload")) {
        return new Entry(node.get("key").asText(), node.get("payload").asText());
      }
    } catch (IOException e) {
      // torn line
    }
    return null;
  }

  /**
   * After a crash mid-line, starts the next line on a fresh one so the torn one stays unparseable
   * alone.
   */
  static void closeTornLine(Path file, FileChannel appender) throws IOException {
    if (appender.size() == 0) {
      return;
    }
    try (FileChannel read = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer last = ByteBuffer.allocate(1);
      read.read(last, read.size() - 1);
      if (last.get(0) != '\n') {
        write(appender, "\n");
      }
    }
  }

  Path dir() {
    return dir;
  }

  /** Whether this key was ever accepted (pending, delivered or dead). */
  boolean contains(String key) {
    return known.contains(key);
  }

  void append(String key, String payload) throws IOException {
    String line = JSON.createObjectNode().put("key", key).put("payload", payload).toString() + "\n";
    write(pending, line);
    known.add(key);
    queue.add(new Entry(key, payload));
  }

  Entry peek() {
    return queue.peek();
  }

  /** The head entry is finished (delivered or dead-lettered). */
  void finishHead() throws IOException {
    Entry head = queue.peek();
    if (head == null) {
      return;
    }
    write(done, head.key() + "\n");
    queue.poll();
    if (queue.isEmpty()) {
      // Everything in pending.jsonl is in done.txt now; a crash before this truncate only re-reads
      // finished entries.
      pending.truncate(0);
      pending.force(true);
    }
  }

  int size() {
    return queue.size();
  }

  List<Entry> pendingEntries() {
    return List.copyOf(queue);
  }

  private static void write(FileChannel channel, String text) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
    channel.force(false);
  }

  @Override
  public void close() throws IOException {
    pending.close();
    done.close();
  }
}
