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
 * One spool folder, one sink: a second sink draining the same pending.jsonl and done.txt would
 * finish the first one's alerts, which a restart then skips. The spool's lock refuses the second
 * opener, in this process or another (a running engine).
 */
class SharedSpoolFolderTest {
  private static final Backoff FAST = new Backoff(Duration.ofMillis(20), Duration.ofMillis(50));

  @TempDir Path dir;

  /** Delivers when up, asks for a retry when down; records what it delivered. */
  private static final class Receiver implements DeliveryTransport {
    final List<String> delivered = new CopyOnWriteArrayList<>();
    private final boolean up;

    Receiver(boolean up) {
      this.up = up;
    }

    @Override
    public DeliveryOutcome send(String key, String payload) {
      if (!up) {
        return DeliveryOutcome.retry("HTTP 503");
      }
      delivered.add(key);
      return DeliveryOutcome.delivered();
    }
  }

  /** The engine's attempts to take a lock held elsewhere, without its pauses between them. */
  private static final SpoolLockWait NO_REAL_PAUSES =
      new SpoolLockWait(SpoolLockWait.ENGINE.tries(), Duration.ZERO, length -> {});

  private SpooledAlertSink sink(String name, Path spool, Receiver receiver) throws IOException {
    return new SpooledAlertSink(
        name, spool, AlertJson::toJson, DrillPolicy.SKIP, false, receiver, FAST);
  }

  private SpooledAlertSink sink(String name, Path spool, Receiver receiver, SpoolLockWait wait)
      throws IOException {
    return new SpooledAlertSink(
        name,
        spool,
        AlertJson::toJson,
        DrillPolicy.SKIP,
        false,
        receiver,
        FAST,
        Clock.systemUTC(),
        wait);
  }

  @Test
  void aSecondSinkOnAnOpenSpoolFolderIsRefusedAndTheFirstKeepsItsAlertAcrossARestart()
      throws Exception {
    Path spool = dir.resolve("spool/x");
    SpooledAlertSink slow = sink("slow", spool, new Receiver(false));
    try {
      IOException refused =
          assertThrows(IOException.class, () -> sink("fast", spool, new Receiver(true)).close());
      assertTrue(
          refused.getMessage().contains("already open for another sink"), refused.getMessage());
      slow.accept(TestAlerts.alert("lw-x1"));
      assertEquals(1, slow.pending());
    } finally {
      slow.close(); // as a crash would leave it
      slow.close(); // the engine and the sink's owner may both close it
    }
    Receiver back = new Receiver(true);
    try (SpooledAlertSink restarted = sink("slow", spool, back)) {
      assertTrue(restarted.awaitDrained(Duration.ofSeconds(10)));
      assertEquals(List.of("lw-x1"), back.delivered, "the slow sink's receiver still gets it");
    }
  }

  /** A running engine holds the lock; a second engine (or a stray tool) is told so. */
  @Test
  void aSpoolFolderLockedByAnotherProcessIsRefusedWithAClearErrorUntilItIsReleased()
      throws Exception {
    Path spool = dir.resolve("spool/y");
    try (LockHeldElsewhere other = LockHeldElsewhere.hold(spool)) {
      IOException refused =
          assertThrows(
              IOException.class,
              () -> sink("s", spool, new Receiver(true), NO_REAL_PAUSES).close());
      assertTrue(refused.getMessage().contains("locked by another process"), refused.getMessage());
      other.release();
      sink("s", spool, new Receiver(true), NO_REAL_PAUSES).close();
    }
  }
}
