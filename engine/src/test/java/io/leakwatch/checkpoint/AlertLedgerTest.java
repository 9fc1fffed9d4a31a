package io.leakwatch.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.testing.SteppedClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The delivered-alert ledger forgets alerts delivered longer ago than any event can be processed
 * again (Salesforce keeps 72 hours), in memory and in the file; before, both grew with every alert
 * ever sent.
 */
class AlertLedgerTest {
  @TempDir Path dir;

  // A horizon of a week here; the engine's (AlertLedger.KEEP) is longer.
  private static final Duration HORIZON = Duration.ofDays(7);

  @Test
  void alertsDeliveredLongerAgoThanTheHorizonAreForgottenInMemoryAndOnDisk() throws Exception {
    SteppedClock clock = new SteppedClock(Instant.parse("2026-03-09T14:00:00Z"));
    Path file = dir.resolve("delivered-alerts.txt");
    try (AlertLedger ledger = new AlertLedger(file, clock, HORIZON)) {
      ledger.record("LW-001/old#1");
      ledger.record("LW-001/old#2");
      clock.step(Duration.ofDays(5));
      ledger.record("LW-002/recent#1");
      assertTrue(ledger.contains("LW-001/old#1"), "within the horizon");
      clock.step(Duration.ofDays(3)); // 8 days after the first
      ledger.record("LW-003/new#1");
      assertFalse(ledger.contains("LW-001/old#1"), "forgotten after 7 days");
      assertFalse(ledger.contains("LW-001/old#2"));
      assertTrue(ledger.contains("LW-002/recent#1"));
      assertEquals(List.of("LW-002/recent#1", "LW-003/new#1"), ledger.deliveredKeys());
    }
    assertFalse(Files.readString(file).contains("LW-001/old"), Files.readString(file));
    try (AlertLedger reopened = new AlertLedger(file, clock, HORIZON)) {
      assertEquals(List.of("LW-002/recent#1", "LW-003/new#1"), reopened.deliveredKeys());
      clock.step(Duration.ofDays(4).plusHours(1)); // the recent one: 7 days 1 h
    }
    try (AlertLedger later = new AlertLedger(file, clock, HORIZON)) {
      assertEquals(List.of("LW-003/new#1"), later.deliveredKeys(), "expired ones dropped at open");
    }
  }

  /** A ledger of the older form, ids only: kept for the horizon from its first open. */
  @Test
  void idsWrittenWithoutTimeMarksCountFromTheFirstOpen() throws Exception {
    SteppedClock clock = new SteppedClock(Instant.parse("2026-03-09T14:00:00Z"));
    Path file = dir.resolve("delivered-alerts.txt");
    Files.writeString(file, "LW-001/a#1\nLW-001/b#1\n");
    try (AlertLedger ledger = new AlertLedger(file, clock, HORIZON)) {
      assertTrue(ledger.contains("LW-001/a#1") && ledger.contains("LW-001/b#1"));
    }
    clock.step(Duration.ofDays(6));
    try (AlertLedger ledger = new AlertLedger(file, clock, HORIZON)) {
      assertTrue(ledger.contains("LW-001/a#1"), "not re-dated by a later open");
    }
    clock.step(Duration.ofDays(2));
    try (AlertLedger ledger = new AlertLedger(file, clock, HORIZON)) {
      assertFalse(ledger.contains("LW-001/a#1"));
      assertEquals(0, ledger.size());
    }
  }
}
