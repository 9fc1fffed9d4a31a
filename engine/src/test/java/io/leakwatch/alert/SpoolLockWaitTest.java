package io.leakwatch.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code leakwatch alerts resend-dead-letters} holds the spool lock while it loads the spool: an
 * engine starting then waits for it a few seconds rather than fail with "already running?"; one
 * whose lock stays held (a second engine) still fails, and says how long it waited. The lock is
 * held by another process, as it is in use: within one process a lock taken twice fails at once.
 * The pauses are the test's own: no wall-clock wait.
 */
class SpoolLockWaitTest {
  @TempDir Path dir;

  private SpooledAlertSink sink(Path spool, SpoolLockWait wait) throws Exception {
    return new SpooledAlertSink(
        "webhooks[0]",
        spool,
        AlertFormat.LEAKWATCH::render,
        DrillPolicy.SKIP,
        false,
        (key, payload) -> DeliveryOutcome.delivered(),
        new Backoff(Duration.ofMillis(5), Duration.ofMillis(20)),
        Clock.systemUTC(),
        wait);
  }

  @Test
  void anEngineStartingWhileAnotherProcessHoldsTheLockBrieflyWaitsForIt() throws Exception {
    Path spool = dir.resolve("spool");
    List<Duration> pauses = new CopyOnWriteArrayList<>();
    try (LockHeldElsewhere resendCommand = LockHeldElsewhere.hold(spool)) {
      SpoolLockWait wait =
          new SpoolLockWait(
              5,
              Duration.ofMillis(250),
              length -> {
                pauses.add(length);
                if (pauses.size() == 2) {
                  try {
                    resendCommand.release(); // done with the spool
                  } catch (IOException e) {
                    throw new AssertionError(e);
                  }
                }
              });
      try (SpooledAlertSink sink = sink(spool, wait)) {
        sink.accept(TestAlerts.alert("lw-1"));
        assertTrue(sink.awaitDrained(Duration.ofSeconds(20)));
      }
    }
    assertEquals(List.of(Duration.ofMillis(250), Duration.ofMillis(250)), pauses);
  }

  @Test
  void anEngineWhoseLockStaysHeldGivesUpAfterItsWaitAndSaysSo() throws Exception {
    Path spool = dir.resolve("spool");
    List<Duration> pauses = new CopyOnWriteArrayList<>();
    SpoolLock.HeldElsewhere refused;
    try (LockHeldElsewhere secondEngine = LockHeldElsewhere.hold(spool)) {
      refused =
          assertThrows(
              SpoolLock.HeldElsewhere.class,
              () -> sink(spool, new SpoolLockWait(4, Duration.ofMillis(250), pauses::add)).close());
    }
    assertEquals(3, pauses.size(), "a pause between each two of 4 attempts");
    assertTrue(refused.getMessage().contains("another process"), refused.getMessage());
    assertTrue(refused.getMessage().contains("waited 0.75 s"), refused.getMessage());
  }

  @Test
  void anEngineWaitsAFewSecondsAtMost() {
    assertEquals(Duration.ofSeconds(10), SpoolLockWait.ENGINE.total());
    assertEquals(Duration.ZERO, SpoolLockWait.NONE.total());
  }
}
