package io.leakwatch.alert;

import io.leakwatch.decision.Alert;
import java.util.Locale;

/**
 * What a sink that can page someone (webhook, Slack, syslog, Salesforce) does with a drill alert.
 * Files always record drills, flagged {@code "drill": true}.
 */
public enum DrillPolicy {
  /** Drill alerts never leave Leakwatch through this sink (the default). */
  SKIP,
  /**
   * Drill alerts are delivered, marked as drills in every field a receiver might route or page on.
   */
  MARK;

  public boolean delivers(Alert alert) {
    return !alert.drill() || this == MARK;
  }

  public static DrillPolicy parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "skip" -> SKIP;
      case "mark" -> MARK;
      default -> throw new IllegalArgumentException("must be skip or mark, was '" + text + "'");
    };
  }
}
