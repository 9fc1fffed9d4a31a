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
    long before = channel.size();
    long start = before + (torn ? 1 : 0);
    ByteBuffer bytes =
        ByteBuffer.wrap(((torn ? "\n" : "") + line + "\n").getBytes(StandardCharsets.UTF_8));
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
    return start;
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
