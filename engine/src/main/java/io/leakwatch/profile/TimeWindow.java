package io.leakwatch.profile;

import java.time.LocalTime;

/**
 * A daily window of local time. {@code end} before {@code start} wraps past midnight, so a nightly
 * job's window 22:00–04:00 is one window.
 */
public record TimeWindow(LocalTime start, LocalTime end) {
  public boolean contains(LocalTime time) {
    if (start.equals(end)) {
      return true;
    }
    if (start.isBefore(end)) {
      return !time.isBefore(start) && time.isBefore(end);
    }
    return !time.isBefore(start) || time.isBefore(end);
  }

  @Override
  public String toString() {
    return start + "-" + end;
  }
}
