package io.leakwatch.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.checkpoint.AlertLedger;
import io.leakwatch.checkpoint.DurableFile;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file's own fsync makes its bytes durable, not its name: after a power loss a new spool, ledger,
 * dead-letter or alerts file could be gone with everything forced into it. Each new file (and each
 * new folder) has its folder forced; a file opened again needs nothing more. A file deleted as a
 * step done (a resend request carried out) has its folder forced too, or it could come back.
 */
class NewFileFolderForcedTest {
  @TempDir Path dir;
  private final List<Path> forced = new CopyOnWriteArrayList<>();

  @BeforeEach
  void watch() {
    DurableFile.onFolderForced(forced::add);
  }

  @AfterEach
  void stopWatching() {
    DurableFile.onFolderForced(null);
  }

  @Test
  void theSpoolAndItsDeadLettersForceTheirFolderWhenCreated() throws Exception {
    Path spool = dir.resolve("spool/soc");
    try (DeliverySpool queue = new DeliverySpool(spool);
        SinkDeadLetters letters =
            new SinkDeadLetters(spool.resolve("dead-letters.jsonl"), Clock.systemUTC())) {
      assertTrue(forced.contains(dir), "the new folder spool/ in its parent: " + forced);
      assertTrue(forced.contains(dir.resolve("spool")), "spool/soc in spool/: " + forced);
      assertEquals(3, forced.stream().filter(spool::equals).count(), "pending, done, dead letters");
    }
    forced.clear();
    try (DeliverySpool again = new DeliverySpool(spool)) {
      assertEquals(List.of(), forced, "nothing new, nothing to force");
    }
  }

  @Test
  void theLedgerForcesItsFolderWhenCreated() throws Exception {
    Path state = dir.resolve("state");
    try (AlertLedger ledger = new AlertLedger(state.resolve("delivered.txt"))) {
      assertTrue(forced.contains(state), forced.toString());
      assertTrue(forced.contains(dir), forced.toString());
    }
  }

  @Test
  void theAlertsFileForcesItsFolderWhenCreatedAndAfterARotation() throws Exception {
    Path alerts = dir.resolve("alerts");
    try (JsonLinesAlertSink sink =
        new JsonLinesAlertSink(
            alerts.resolve("alerts.jsonl"),
            AlertFormat.LEAKWATCH,
            new FileRotation(1_024, false, 3),
            Clock.systemUTC())) {
      assertTrue(forced.contains(alerts), forced.toString());
      forced.clear();
      for (int i = 0; i < 4; i++) {
        sink.accept(TestAlerts.alert("lw-" + i));
      }
      assertTrue(sink.rotated().size() > 0);
      // once for the rename, once for the new file
      assertTrue(forced.stream().filter(alerts::equals).count() >= 2, forced.toString());
    }
  }

  /**
   * A resend request carried out is deleted: if a power loss brought it back, the next start would
   * put the dead letters refused since back into the queue, unasked.
   */
  @Test
  void aResendRequestCarriedOutForcesItsFolderWhenDeleted() throws Exception {
    Path spool = dir.resolve("spool");
    DurableFile.createFolders(spool);
    ResendRequest.ask(spool);
    forced.clear();
    ResendRequest.done(spool);
    assertEquals(List.of(spool.toAbsolutePath()), forced, "the delete made durable");
    // Done again, the file already gone (a crash came between the delete and its force): the
    // folder is forced all the same.
    forced.clear();
    ResendRequest.done(spool);
    assertEquals(List.of(spool.toAbsolutePath()), forced, "an earlier delete made durable");
  }
}
