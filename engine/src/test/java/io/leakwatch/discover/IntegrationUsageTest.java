package io.leakwatch.discover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IntegrationUsageTest {
  static final ZoneId ZONE = ZoneId.of("America/New_York");
  static final PhiCatalog CATALOG =
      new PhiCatalog(Set.of("Contact"), Map.of("Contact", java.util.List.of("LastName")), 1, 3);

  static long at(int hour, int minute) {
    return ZonedDateTime.of(2026, 3, 2, hour, minute, 0, 0, ZONE).toInstant().toEpochMilli();
  }

  static void read(IntegrationUsage usage, long time, long rows, String query) {
    usage.api(time, "Query", query, "Contact", (double) rows, (double) rows, "0H4x", CATALOG);
  }

  @Test
  void aNightlyWindowWrapsMidnightAndGetsAnHoursMarginEachSide() {
    IntegrationUsage usage = new IntegrationUsage(ZONE);
    read(usage, at(23, 10), 5, "SELECT Id FROM Contact");
    read(usage, at(1, 50), 5, "SELECT Id FROM Contact");
    assertArrayEquals(new int[] {23, 26}, usage.activeHours());
    assertArrayEquals(
        new LocalTime[] {LocalTime.of(22, 0), LocalTime.of(3, 0)}, usage.proposedWindow());
  }

  @Test
  void neverActiveProposesNoWindowAndNoLimit() {
    IntegrationUsage usage = new IntegrationUsage(ZONE);
    assertNull(usage.proposedWindow());
    assertEquals(0, usage.proposedMaxRowsPer5Min());
  }

  @Test
  void rowsAreCountedInASlidingFiveMinutesWithHeadroomAboveTheBusiestAndTheFloor() {
    IntegrationUsage usage = new IntegrationUsage(ZONE);
    // 04:58 and 05:01 fall in different fixed slots but one sliding window: 900 rows.
    read(usage, at(4, 58), 400, "SELECT Id FROM Contact");
    read(usage, at(5, 1), 500, "SELECT Id FROM Contact");
    read(usage, at(9, 0), 10, "SELECT Id FROM Contact");
    assertEquals(900, usage.maxRowsPer5Min());
    assertEquals(500, usage.p95RowsPer5Min());
    assertEquals(1400, usage.proposedMaxRowsPer5Min()); // 1.5 × 900 = 1350, up to 2 digits
    IntegrationUsage quiet = new IntegrationUsage(ZONE);
    read(quiet, at(9, 0), 2, "SELECT Id FROM Contact");
    assertEquals(IntegrationUsage.FLOOR, quiet.proposedMaxRowsPer5Min());
  }

  @Test
  void fieldsComeFromTheParsedQueryAndAnUnreadableQueryDeclaresNone() {
    IntegrationUsage usage = new IntegrationUsage(ZONE);
    read(usage, at(9, 0), 1, "SELECT Id, LastName FROM Contact WHERE LastName = 'Okafor'");
    assertEquals(Map.of("Contact", Set.of("Id", "LastName")), usage.phiFields());
    assertFalse(usage.phiFields().toString().contains("Okafor"));
    read(usage, at(9, 5), 1, "FIND {Okafor} IN NAME FIELDS");
    assertTrue(usage.phiFields().isEmpty());
    assertEquals(Set.of("Contact"), usage.unparsedPhiObjects());
  }

  @Test
  void roundsUpToTwoSignificantDigits() {
    assertEquals(87, IntegrationUsage.roundUp(87));
    assertEquals(19_000, IntegrationUsage.roundUp(18_440));
    assertEquals(100, IntegrationUsage.roundUp(100));
  }
}
