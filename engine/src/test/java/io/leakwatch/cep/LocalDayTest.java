package io.leakwatch.cep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LocalDayTest {
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  private static final ZoneId LORD_HOWE = ZoneId.of("Australia/Lord_Howe"); // 30-minute change
  private static final long YEAR_START = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
  private static final long YEAR = 365L * 86_400_000L;

  @Test
  void readsTheSameWallTimeAndWeekdayAsTheZoneRulesAllYearClockChangesIncluded() {
    for (ZoneId zone : new ZoneId[] {NEW_YORK, LORD_HOWE, ZoneId.of("UTC")}) {
      LocalDay day = LocalDay.of(YEAR_START, zone);
      // Every 7 minutes 13 seconds of a year: every hour of every day, both clock changes.
      for (long t = YEAR_START; t < YEAR_START + YEAR; t += 433_000L) {
        if (!day.covers(t)) {
          day = LocalDay.of(t, zone);
        }
        ZonedDateTime expected = Instant.ofEpochMilli(t).atZone(zone);
        assertTrue(day.covers(t));
        assertEquals(expected.toLocalTime(), day.timeOf(t, zone), zone + " " + expected);
        assertEquals(expected.getDayOfWeek(), day.dayOfWeek(), zone + " " + expected);
      }
    }
  }

  @Test
  void aDayWithAClockChangeIsReadThroughTheZoneRules() {
    long springForward = Instant.parse("2026-03-08T12:00:00Z").toEpochMilli();
    LocalDay day = LocalDay.of(springForward, NEW_YORK);
    assertFalse(day.offsetFixed());
    assertEquals(23L * 3_600_000L, day.end() - day.start(), "a 23-hour day");
    assertTrue(LocalDay.of(springForward + 86_400_000L, NEW_YORK).offsetFixed());
  }

  @Test
  void outsideHoursIsTheSameWhateverOrderTheEventsComeIn() throws Exception {
    OrgContext org =
        new OrgContext(
            io.leakwatch.profile.OrgProfileLoader.load(
                java.nio.file.Path.of("../rules/pack/test-profile.yaml")));
    ZoneId zone = org.profile().timeZone();
    Random random = new Random(12);
    for (int i = 0; i < 200_000; i++) {
      long t = YEAR_START + (long) (random.nextDouble() * YEAR);
      String user = i % 3 == 0 ? "0055f000003EtLjAAA" : "005000000000001AAA";
      ZonedDateTime local = Instant.ofEpochMilli(t).atZone(zone);
      boolean expected =
          user.startsWith("0055f")
              ? !org.profile().integrations().stream()
                  .filter(integration -> integration.userIds().contains(user))
                  .findFirst()
                  .orElseThrow()
                  .runWindow()
                  .contains(local.toLocalTime())
              : !org.profile().businessDays().contains(local.getDayOfWeek())
                  || !org.profile().businessHours().contains(local.toLocalTime());
      assertEquals(expected, org.isOutsideHours(user, t), local.toString());
    }
  }

  @Test
  void oneInstancePerUserIdWhicheverEventCarriedIt() {
    OrgContext org =
        new OrgContext(
            io.leakwatch.profile.OrgProfileLoader.load(
                java.nio.file.Path.of("../rules/pack/test-profile.yaml")));
    String first = new String("005000000000001AAA");
    String later = new String("005000000000001AAA");
    assertSame(first, org.sameUserId(first));
    assertSame(first, org.sameUserId(later));
    assertTrue(org.isIntegration(new String("0055f000003EtLjAAA")));
    assertTrue(org.isIntegration("0055f000003EtLj"), "the 15-character form of the same id");
  }
}
