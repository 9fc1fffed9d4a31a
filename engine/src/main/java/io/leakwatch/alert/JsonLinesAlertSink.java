package io.leakwatch.alert;

import io.leakwatch.checkpoint.DurableFile;
import io.leakwatch.decision.Alert;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Appends each alert as one JSON line (Leakwatch's form or OCSF) and forces it to disk before
 * returning, so an alert that was reported written survives a crash. Idempotent across restarts: an
 * alert (id and revision) the file or its kept rotations already hold is not written again, and a
 * line cut short by a crash is closed off, not continued.
 *
 * <p>With a {@link FileRotation}, the current file {@code alerts.jsonl} is renamed atomically to
 * {@code alerts.2026-03-09.7.jsonl} (the UTC day its first line was written, then a sequence number
 * that only grows) before the line that would overflow it or the first line of a new day, and a
 * fresh file is started. Rotation happens between two whole lines, so a line is in exactly one
 * file. Rotated files beyond {@code keep} are deleted, oldest first; the delivery keys in them are
 * forgotten, as a restart would forget them, which is safe because the engine's own ledger never
 * replays an alert that old. Without rotation the file, and the keys remembered from it, grow
 * without end.
 */
public final class JsonLinesAlertSink implements AlertSink {
  private final Path file;
  private final AlertFormat format;
  private final FileRotation rotation;
  private final Clock clock;
  private final String stem;
  private final String extension;
  private final Pattern rotatedName;

  /** The file a written key's line is in: a rotated file's sequence, or {@link #CURRENT}. */
  private final Map<String, Long> written = new HashMap<>();

  private static final long CURRENT = Long.MAX_VALUE;
  private FileChannel channel;
  private LocalDate currentDay;
  private long size;
  private long nextSequence;
  private Object fileKey;
  private boolean torn;

  public JsonLinesAlertSink(Path file) throws IOException {
    this(file, AlertFormat.LEAKWATCH, FileRotation.NONE, Clock.systemUTC());
  }

  public JsonLinesAlertSink(Path file, AlertFormat format, FileRotation rotation, Clock clock)
      throws IOException {
    this.file = file.toAbsolutePath();
    this.format = format;
    this.rotation = rotation;
    this.clock = clock;
    String name = this.file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    this.stem = dot > 0 ? name.substring(0, dot) : name;
    this.extension = dot > 0 ? name.substring(dot) : "";
    this.rotatedName =
        Pattern.compile(
            Pattern.quote(stem) + "\\.(\\d{4}-\\d{2}-\\d{2})\\.(\\d+)" + Pattern.quote(extension));
    DurableFile.createFolders(this.file.getParent());
    for (Path rotated : rotated()) {
      remember(rotated, sequence(rotated));
      nextSequence = Math.max(nextSequence, sequence(rotated) + 1);
    }
    boolean cutShort = false;
    if (Files.exists(this.file)) {
      remember(this.file, CURRENT);
      cutShort = Files.size(this.file) > 0 && lastByte(this.file) != '\n';
      if (Files.size(this.file) > 0) {
        currentDay =
            LocalDate.ofInstant(Files.getLastModifiedTime(this.file).toInstant(), ZoneOffset.UTC);
      }
    }
    open();
    if (cutShort) {
      write("\n");
    }
  }

  private void open() throws IOException {
    channel = DurableFile.openForAppend(file); // a new file's name made durable with it
    size = channel.size();
    fileKey = fileKeyAtPath();
  }

  /** The identity (device and inode) of whatever file is at the path now, or null if none. */
  private Object fileKeyAtPath() {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      return null;
    }
  }

  /** Whether the open file is the one at the path (where file systems say which file that is). */
  private boolean stillAtPath() {
    Object atPath = fileKeyAtPath();
    return fileKey == null ? Files.exists(file) : fileKey.equals(atPath);
  }

  /**
   * The alert must land where the operator pointed: if the file there was removed or replaced,
   * writing on into the open one would report alerts written that nobody can read. Reopen the path
   * instead; if its folder is gone or cannot be written, fail, and the engine retries.
   */
  private void ensureWritingAtPath() throws IOException {
    if (stillAtPath() && channel.isOpen()) {
      return;
    }
    if (!Files.isDirectory(file.getParent())) {
      throw new IOException(
          "the alerts folder " + file.getParent() + " no longer exists; alerts wait until it does");
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // the old file is gone anyway
    }
    open();
    currentDay = null;
    torn = false;
  }

  private void remember(Path path, long file) throws IOException {
    for (String line : LenientLines.read(path)) {
      String key = DeliveryKeys.of(line);
      if (key != null) {
        written.put(key, file);
      }
      // A torn last line from a crash yields no key; the alert it held is delivered again below it.
    }
  }

  private static int lastByte(Path file) throws IOException {
    try (FileChannel read = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer last = ByteBuffer.allocate(1);
      read.read(last, read.size() - 1);
      return last.get(0);
    }
  }

  /** How many delivery keys it remembers: those in the current file and the kept rotations. */
  int rememberedKeys() {
    return written.size();
  }

  /** The format lines are written in. */
  public AlertFormat format() {
    return format;
  }

  public Path file() {
    return file;
  }

  /** Rotated files still kept, oldest first. */
  public List<Path> rotated() throws IOException {
    List<Path> found = new ArrayList<>();
    try (Stream<Path> files = Files.list(file.getParent())) {
      files
          .filter(p -> rotatedName.matcher(p.getFileName().toString()).matches())
          .forEach(found::add);
    }
    found.sort(Comparator.comparingLong(this::sequence));
    return found;
  }

  private long sequence(Path rotated) {
    Matcher m = rotatedName.matcher(rotated.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(2)) : -1;
  }

  @Override
  public void accept(Alert alert) throws IOException {
    if (written.containsKey(alert.deliveryKey())) {
      return;
    }
    ensureWritingAtPath();
    String line = format.render(alert) + "\n";
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
    LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
    if (size > 0
        && rotation.enabled()
        && ((rotation.maxBytes() > 0 && size + bytes.length > rotation.maxBytes())
            || (rotation.daily() && !today.equals(currentDay)))) {
      rotate();
    }
    write(line);
    if (!stillAtPath()) {
      // Removed while being written: the line went into a file nobody can read. Not delivered.
      throw new IOException(file + " was removed while an alert was written to it");
    }
    if (currentDay == null || size == bytes.length) {
      currentDay = today;
    }
    written.put(alert.deliveryKey(), CURRENT);
  }

  private void write(String text) throws IOException {
    long before = size;
    ByteBuffer buffer =
        ByteBuffer.wrap(((torn ? "\n" : "") + text).getBytes(StandardCharsets.UTF_8));
    try {
      while (buffer.hasRemaining()) {
        size += channel.write(buffer);
      }
      channel.force(false);
      torn = false;
    } catch (IOException e) {
      // A full disk can take part of a line: take it back, so the retry writes a whole one.
      try {
        channel.truncate(before);
        channel.force(false);
        size = before;
      } catch (IOException truncateFailed) {
        torn = true; // the retry first ends the partial line
      }
      throw e;
    }
  }

  private void rotate() throws IOException {
    channel.force(true);
    channel.close();
    LocalDate day = currentDay != null ? currentDay : LocalDate.now(clock.withZone(ZoneOffset.UTC));
    long sequence = nextSequence++;
    Path target = file.resolveSibling(stem + "." + day + "." + sequence + extension);
    Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
    written.replaceAll((key, in) -> in == CURRENT ? sequence : in);
    DurableFile.forceFolder(file.getParent()); // the rename itself, not only the bytes
    open();
    currentDay = null;
    List<Path> kept = rotated();
    for (int i = 0; i < kept.size() - rotation.keep(); i++) {
      Files.deleteIfExists(kept.get(i));
      long deleted = sequence(kept.get(i));
      written.values().removeIf(in -> in == deleted); // as a restart would
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
