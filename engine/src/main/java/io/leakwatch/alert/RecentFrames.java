package io.leakwatch.alert;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The last frames written to a connection, up to a number of bytes: syslog has no acknowledgements,
 * so these may still sit unread in TCP buffers when the connection dies, and are sent again on the
 * next one. Always keeps the newest frame.
 */
final class RecentFrames {
  private final ArrayDeque<byte[]> frames = new ArrayDeque<>();
  private long bytes;

  void add(byte[] frame, long limit) {
    frames.addLast(frame);
    bytes += frame.length;
    while (bytes > limit && frames.size() > 1) {
      bytes -= frames.removeFirst().length;
    }
  }

  List<byte[]> oldestFirst() {
    return List.copyOf(frames);
  }

  long bytes() {
    return bytes;
  }

  boolean isEmpty() {
    return frames.isEmpty();
  }
}
