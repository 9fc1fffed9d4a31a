package io.leakwatch.cep;

import java.util.Locale;

/**
 * How far past a clock an event may be dated before its own time is not trusted. A real org's event
 * dated hours ahead (a sender's broken clock, a corrupted field) would otherwise sort last in the
 * merge and hold its stream, carry a checkpoint's time and a resume point ahead for good, or move a
 * poll's cursor past logins still to come. The clock is this host's, or Salesforce's own when an
 * answer carries it. {@link #NONE} trusts every date: a drill plays a simulated day ahead on
 * purpose.
 */
public record EventTimeBound(long maxAheadMillis) {
  public static final EventTimeBound NONE = new EventTimeBound(0);

  public EventTimeBound {
    if (maxAheadMillis < 0) {
      throw new IllegalArgumentException(
          "maxAheadMillis must not be negative, was " + maxAheadMillis);
    }
  }

  public boolean bounded() {
    return maxAheadMillis > 0;
  }

  /** How far {@code eventTime} lies past {@code clock} when that is more than allowed; else 0. */
  public long excess(long eventTime, long clock) {
    return bounded() && eventTime > clock && eventTime - clock > maxAheadMillis
        ? eventTime - clock
        : 0;
  }

  /** Whether {@code eventTime} may be taken as it is, read against {@code clock}. */
  public boolean trusts(long eventTime, long clock) {
    return excess(eventTime, clock) == 0;
  }

  /** Why an event {@code excessMillis} ahead was refused, for a dead letter; no value of it. */
  public String refusal(long excessMillis) {
    return String.format(
        Locale.ROOT,
        "EventDate is %.1f h after this host's clock (more than the %d min allowed): refused, so"
            + " that one misdated event cannot hold its stream back or move the rules' clock"
            + " ahead; check the host's clock if many events say so",
        excessMillis / 3_600_000.0,
        maxAheadMillis / 60_000);
  }

  @Override
  public String toString() {
    return bounded() ? maxAheadMillis / 60_000 + " min" : "none";
  }
}
