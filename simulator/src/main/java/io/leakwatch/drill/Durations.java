package io.leakwatch.drill;

import java.time.Duration;
import java.util.Locale;

/** Durations as people read them in a report: "0.4 s", "2 min 30 s", "2 h 5 min". */
final class Durations {
  private Durations() {}

  static String human(long millis) {
    if (millis < 0) {
      return "–";
    }
    Duration d = Duration.ofMillis(millis);
    if (d.toHours() > 0) {
      return d.toHours() + " h " + d.toMinutesPart() + " min";
    }
    if (d.toMinutes() > 0) {
      return d.toMinutes() + " min " + d.toSecondsPart() + " s";
    }
    return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  static String wall(long millis) {
    return millis < 0 ? "–" : millis + " ms";
  }
}
