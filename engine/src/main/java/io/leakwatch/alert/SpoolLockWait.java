package io.leakwatch.alert;

import java.time.Duration;

/**
 * How long a sink waits for a spool lock another process holds: {@code leakwatch alerts
 * resend-dead-letters} holds it while it loads the spool and puts the dead letters back, and an
 * engine starting at that moment should wait for it, not fail. Bounded, so a second engine on the
 * same spool still fails, and says so.
 *
 * @param tries attempts to take the lock, the first included
 * @param between the pause between two attempts
 * @param pause how a pause is made: {@link Thread#sleep}, or a test's own
 */
record SpoolLockWait(int tries, Duration between, Pause pause) {
  /** Makes a pause between two attempts. */
  interface Pause {
    void pause(Duration length) throws InterruptedException;
  }

  /** One attempt: the resend command, which asks a running engine instead when it cannot. */
  static final SpoolLockWait NONE = new SpoolLockWait(1, Duration.ZERO, length -> {});

  /** An engine's sink: 40 pauses of a quarter second, 10 s in all. */
  static final SpoolLockWait ENGINE =
      new SpoolLockWait(41, Duration.ofMillis(250), length -> Thread.sleep(length.toMillis()));

  SpoolLockWait {
    if (tries < 1) {
      throw new IllegalArgumentException("tries must be at least 1: " + tries);
    }
  }

  /** How long all the pauses take together. */
  Duration total() {
    return between.multipliedBy(tries - 1L);
  }
}
