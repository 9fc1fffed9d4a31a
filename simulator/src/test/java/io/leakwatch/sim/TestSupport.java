package io.leakwatch.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * What the simulator's tests share: waiting for an asynchronous outcome. (A scratch copy of the
 * rule pack: {@link io.leakwatch.rulepack.TestPacks}, in the engine's test-jar.)
 */
public final class TestSupport {
  private TestSupport() {}

  /** Polls until {@code condition} holds; fails after a minute naming {@code what}. */
  public static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.sleep(20);
    }
  }
}
