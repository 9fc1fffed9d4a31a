package io.leakwatch.alert;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The last frames written to a connection, up to a number of bytes, each with when it was written:
 * syslog has no acknowledgements, so these may still sit unread in TCP buffers when the connection
 * dies, and are sent again on the next one. Always keeps the newest frame.
 */
final class RecentFrames {
  private record Written(byte[] frame, long atNanos) {}

  private final ArrayDeque<Written> frames = new ArrayDeque<>();
  private long bytes;

  /**
   * @param atNanos when it was written, on a monotonic ticker ({@link System#nanoTime})
   */
  void add(byte[] frame, long atNanos, long limit) {
    frames.addLast(new Written(frame, atNanos));
    bytes += frame.length;
    while (bytes > limit && frames.size() > 1) {
      bytes -= frames.removeFirst().frame().length;
    }
  }

  /**
   * Forgets the frames written before {@code nanos}: a collector that was reading has taken them by
   * then. Compared by difference, as {@link System#nanoTime} values must be.
   */
  void forgetWrittenBefore(long nanos) {
    while (!frames.isEmpty() && frames.peekFirst().atNanos() - nanos < 0) {
      bytes -= frames.removeFirst().frame().length;
    }
  }

  List<byte[]> oldestFirst() {
    return frames.stream().map(Written::frame).toList();
  }

  void clear() {
    frames.clear();
    bytes = 0;
  }

  long bytes() {
    return bytes;
  }

  boolean isEmpty() {
    return frames.isEmpty();
  }
}
