package io.leakwatch.cep;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;

/**
 * One local calendar day of the org's time zone, as the span of event times it covers. Events
 * arrive in time order, so the day of one event is almost always the day of the next: reading the
 * local time from the span is two comparisons and a subtraction, where a {@code ZonedDateTime} per
 * event costs a zone-rules lookup and several objects (3 % of the pack's CPU, JFR).
 */
record LocalDay(long start, long end, DayOfWeek dayOfWeek, boolean offsetFixed) {
  private static final long NANOS_PER_MILLI = 1_000_000L;

  /** The local day holding {@code eventTime} (epoch millis). */
  static LocalDay of(long eventTime, ZoneId zone) {
    LocalDate date = Instant.ofEpochMilli(eventTime).atZone(zone).toLocalDate();
    long start = date.atStartOfDay(zone).toInstant().toEpochMilli();
    long end = date.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
    // A day with a clock change (23 or 25 hours long) is not a plain count of millis from
    // midnight: times in it go the long way, through the zone rules.
    ZoneOffsetTransition next = zone.getRules().nextTransition(Instant.ofEpochMilli(start));
    boolean offsetFixed = next == null || next.getInstant().toEpochMilli() >= end;
    return new LocalDay(start, end, date.getDayOfWeek(), offsetFixed);
  }

  boolean covers(long eventTime) {
    return eventTime >= start && eventTime < end;
  }

  /** The local wall time of an event time this day covers. */
  LocalTime timeOf(long eventTime, ZoneId zone) {
    if (offsetFixed) {
      return LocalTime.ofNanoOfDay((eventTime - start) * NANOS_PER_MILLI);
    }
    return Instant.ofEpochMilli(eventTime).atZone(zone).toLocalTime();
  }
}
