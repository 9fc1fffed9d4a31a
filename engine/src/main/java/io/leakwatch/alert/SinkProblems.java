package io.leakwatch.alert;

import java.util.ArrayList;
import java.util.List;

/**
 * What readiness says of a spooled sink: its delivery thread stopped; its oldest pending alert has
 * waited longer than allowed; or the receiver refused alerts for good (dead-lettered) and has taken
 * none since. Names the sink and gives counts and ages only: never a payload, a URL or the
 * receiver's answer.
 */
public final class SinkProblems {
  private SinkProblems() {}

  /**
   * @param stallMillis how long the oldest pending alert may wait before it is a problem
   */
  public static List<String> of(SpooledAlertSink.Stats stats, long nowMillis, long stallMillis) {
    List<String> problems = new ArrayList<>();
    String sink = "alert sink " + stats.name();
    if (stats.stoppedBy() != null) {
      problems.add(
          sink
              + ": delivery thread stopped ("
              + stats.stoppedBy()
              + "); "
              + stats.pending()
              + " alert(s) wait in its spool until a restart");
    }
    long waited = stats.pending() > 0 ? nowMillis - stats.oldestPendingSince() : 0;
    if (stats.pending() > 0 && waited >= stallMillis) {
      problems.add(
          sink
              + ": "
              + stats.pending()
              + " alert(s) not delivered, the oldest waiting for "
              + waited / 1000
              + " s");
    }
    if (stats.refusedInRow() > 0) {
      problems.add(
          sink
              + ": "
              + stats.refusedInRow()
              + " alert(s) refused for good and dead-lettered, the first "
              + Math.max(0, nowMillis - stats.refusedSince()) / 1000
              + " s ago, none delivered since");
    }
    return problems;
  }
}
