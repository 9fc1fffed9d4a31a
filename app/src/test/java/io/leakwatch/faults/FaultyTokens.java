package io.leakwatch.faults;

import io.leakwatch.auth.AccessGrant;
import io.leakwatch.auth.TokenSource;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A token source that can be made to fail the way a broken credential store does: every call throws
 * an unexpected exception, or every call hangs until the fault is cleared.
 */
final class FaultyTokens implements TokenSource {
  private final TokenSource real;
  private final AtomicLong faulted = new AtomicLong();
  private volatile boolean throwing;
  private volatile CountDownLatch hang;

  FaultyTokens(TokenSource real) {
    this.real = real;
  }

  /** Every call from now on throws. */
  void throwing() {
    throwing = true;
  }

  /** Every call from now on blocks its thread until {@link #clear()}. */
  void hanging() {
    hang = new CountDownLatch(1);
  }

  /** Calls answer again; hung ones return. */
  void clear() {
    throwing = false;
    CountDownLatch latch = hang;
    hang = null;
    if (latch != null) {
      latch.countDown();
    }
  }

  /** Calls that met the fault. */
  long faulted() {
    return faulted.get();
  }

  @Override
  public AccessGrant current() {
    fault();
    return real.current();
  }

  @Override
  public AccessGrant refresh() {
    fault();
    return real.refresh();
  }

  private void fault() {
    if (throwing) {
      faulted.incrementAndGet();
      throw new IllegalStateException("credential store unreachable (injected)");
    }
    CountDownLatch latch = hang;
    if (latch != null) {
      faulted.incrementAndGet();
      try {
        latch.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
