package io.leakwatch.alert;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The last frames written to a connection, up to a number of bytes, each with when it was written:
 * syslog has no acknowledgements, so these may still sit unread in TCP buffers when the connection
 * dies, and are sent again on the next one. Always keeps the newest frame.
 */
final class RecentFrames {
  private record Written(byte[] frame, long atMillis) {}

  private final ArrayDeque<Written> frames = new ArrayDeque<>();
  private long bytes;

  void add(byte[] frame, long atMillis, long limit) {
    frames.addLast(new Written(frame, atMillis));
    bytes += frame.length;
    while (bytes > limit && frames.size() > 1) {
      bytes -= frames.removeFirst().frame().length;
    }
  }

  /**
   * Forgets the frames written before {@code millis}: a collector that was reading has taken them
   * by then.
   */
  void forgetWrittenBefore(long millis) {
    while (!frames.isEmpty() && frames.peekFirst().atMillis() < millis) {
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
