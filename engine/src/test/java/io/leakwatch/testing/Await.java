package io.leakwatch.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for an asynchronous outcome by polling it, with a deadline: tests never sleep for a
 * wall-clock window and hope.
 */
public final class Await {
  /** How long {@link #until(BooleanSupplier, String)} waits. */
  public static final Duration DEFAULT = Duration.ofSeconds(60);

  private Await() {}

  /** Polls until {@code condition} holds; fails after a minute naming {@code what}. */
  public static void until(BooleanSupplier condition, String what) throws InterruptedException {
    until(condition, what, DEFAULT);
  }

  /** Polls until {@code condition} holds; fails after {@code timeout} naming {@code what}. */
  public static void until(BooleanSupplier condition, String what, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      Thread.sleep(10);
    }
  }
}
