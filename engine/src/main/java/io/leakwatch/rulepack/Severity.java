package io.leakwatch.rulepack;

import java.util.Locale;

/**
 * How serious a finding is, ordered: a later constant outranks an earlier one. A rule declares its
 * default in {@code rule.yaml}; its decision rules may raise it; the alert carries the result.
 */
public enum Severity {
  INFO,
  LOW,
  MEDIUM,
  HIGH,
  CRITICAL;

  public static Severity parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a severity (info, low, medium, high, critical)");
    }
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
