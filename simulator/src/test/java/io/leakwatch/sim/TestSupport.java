package io.leakwatch.sim;

import io.leakwatch.testing.Await;
import java.util.function.BooleanSupplier;

/**
 * What the simulator's tests share: waiting for an asynchronous outcome ({@link Await}, and a
 * scratch copy of the rule pack, {@link io.leakwatch.rulepack.TestPacks}, come from the engine's
 * test-jar; the engine-against-simulator fixture is {@link SimulatedDay}).
 */
public final class TestSupport {
  private TestSupport() {}

  /** Polls until {@code condition} holds; fails after a minute naming {@code what}. */
  public static void await(BooleanSupplier condition, String what) throws InterruptedException {
    Await.until(condition, what);
  }
}
