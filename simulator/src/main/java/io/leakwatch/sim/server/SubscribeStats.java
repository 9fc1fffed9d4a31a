package io.leakwatch.sim.server;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the server saw on its Subscribe streams; tests read it to check clients honour flow control.
 */
public final class SubscribeStats {
  private final AtomicInteger maxPending = new AtomicInteger();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong keepAlives = new AtomicLong();
  private final AtomicLong streams = new AtomicLong();

  void recordRequested(int outstanding) {
    maxPending.accumulateAndGet(outstanding, Math::max);
  }

  void sent(int count) {
    sent.addAndGet(count);
  }

  void keepAlive() {
    keepAlives.incrementAndGet();
  }

  void opened() {
    streams.incrementAndGet();
  }

  /**
   * The most credit any client asked to have outstanding at once, before the server's cap of 100.
   */
  public int maxPending() {
    return maxPending.get();
  }

  public long eventsSent() {
    return sent.get();
  }

  public long keepAlives() {
    return keepAlives.get();
  }

  public long streamsOpened() {
    return streams.get();
  }
}
