package io.leakwatch.decision;

import java.util.Locale;

/** Alert severity, ordered: a later constant outranks an earlier one. */
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
