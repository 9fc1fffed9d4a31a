package io.leakwatch.alert;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongSupplier;

/**
 * Notices, as it happens, that a syslog collector ended the connection, and when: a collector never
 * writes, so a read that returns (end of stream or an error) means it has gone. When matters: a
 * connection that ended long after the last write ended idle (a load balancer's idle close) and
 * lost nothing, one that ended just after a write may have lost what was still in the buffers. A
 * check made only before the next message would see an early end late, as if the connection had
 * been idle.
 */
final class CollectorHangup {
  static final long NOT_ENDED = Long.MIN_VALUE;

  private final Thread reader;
  private volatile long endedAt = NOT_ENDED;
  private volatile boolean endedByError;
  private volatile boolean stopped;

  /**
   * Starts watching {@code in}, which must block on read (no read timeout).
   *
   * @param ticker monotonic nanoseconds, the transport's: when the end came is compared with when
   *     frames were written
   */
  CollectorHangup(InputStream in, LongSupplier ticker, String name) {
    reader =
        new Thread(
            () -> {
              try {
                while (in.read() >= 0) {
                  // a collector sends nothing; anything read is ignored
                }
              } catch (IOException e) {
                // A reset or a timeout (or our own close): no orderly end. A collector host that
                // crashed or was cut off is noticed this way, and only when it is back or the
                // kernel gives up, long after the frames it never read were written.
                endedByError = true;
              }
              if (!stopped) {
                endedAt = ticker.getAsLong();
              }
            },
            "syslog-hangup-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * When the collector ended the connection (on the transport's ticker, nanoseconds), or {@link
   * #NOT_ENDED}.
   */
  long endedAt() {
    return endedAt;
  }

  /**
   * Whether the connection ended by an error (a reset, a timeout) rather than the collector's
   * orderly close: nothing then says when it stopped reading.
   */
  boolean endedByError() {
    return endedByError;
  }

  /** Leakwatch is closing the connection itself: its end is not the collector's. */
  void stop() {
    stopped = true;
  }
}
