package io.leakwatch.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file of lines appended one at a time, each forced to disk before {@link #append} returns. An
 * append that fails (a full disk can take part of a line) is taken back, so the retry writes a
 * whole line that stands alone; if even taking it back fails, the next append first ends the part
 * line. A part line left by a crash is ended the same way when the file is opened.
 */
public final class AppendedLines implements AutoCloseable {
  private final FileChannel channel;
  private boolean torn;

  public AppendedLines(Path file) throws IOException {
    channel = DurableFile.openForAppend(file);
    torn = endsMidLine(file, channel);
  }

  private static boolean endsMidLine(Path file, FileChannel channel) throws IOException {
    if (channel.size() == 0) {
      return false;
    }
    try (FileChannel read = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer last = ByteBuffer.allocate(1);
      read.read(last, read.size() - 1);
      return last.get(0) != '\n';
    }
  }

  /**
   * Appends {@code line} and a newline, durably; on failure the file is as it was.
   *
   * @return where the line starts in the file (its first byte)
   */
  public long append(String line) throws IOException {
    return appendAll(java.util.List.of(line))[0];
  }

  /**
   * Appends {@code lines}, each with a newline, durably and with one force for all: all of them or,
   * on failure, none.
   *
   * @return where each line starts in the file
   */
  public long[] appendAll(java.util.List<String> lines) throws IOException {
    if (lines.isEmpty()) {
      return new long[0];
    }
    long before = channel.size();
    long[] starts = new long[lines.size()];
    StringBuilder text = new StringBuilder(torn ? "\n" : "");
    long at = before + (torn ? 1 : 0);
    for (int i = 0; i < lines.size(); i++) {
      starts[i] = at;
      String line = lines.get(i);
      text.append(line).append('\n');
      at += line.getBytes(StandardCharsets.UTF_8).length + 1;
    }
    write(before, text.toString());
    return starts;
  }

  private void write(long before, String text) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    try {
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      channel.force(false);
    } catch (IOException e) {
      try {
        channel.truncate(before);
        channel.force(false);
      } catch (IOException truncateFailed) {
        torn = true; // the next append first ends the part line, so its own stands alone
      }
      throw e;
    }
    torn = false;
  }

  /** Empties the file, durably. */
  public void clear() throws IOException {
    channel.truncate(0);
    channel.force(true);
    torn = false;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
