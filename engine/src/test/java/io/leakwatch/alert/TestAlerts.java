package io.leakwatch.alert;

import io.leakwatch.decision.Alert;
import io.leakwatch.decision.Severity;
import java.util.List;
import java.util.Map;

/** Alerts as the engine makes them, for sink tests. */
final class TestAlerts {
  static final long T0 = 1_773_064_800_000L; // 2026-03-09T14:00:00Z

  private TestAlerts() {}

  static Alert alert(String id) {
    return alert(id, Severity.HIGH, false);
  }

  static Alert alert(String id, Severity severity, boolean drill) {
    return new Alert(
        id,
        "LW-001",
        "Bulk read of patient records",
        severity,
        "0055f000003TeLeAAA",
        null,
        240,
        "Contact,Case",
        T0,
        T0 + 60_000,
        T0 + 61_000,
        List.of("ev-1", "ev-2"),
        List.of("240 rows of PHI in 5 minutes (threshold 100)"),
        List.of("bulk-read-person"),
        List.of("T1530"),
        Map.of("HIPAA", List.of("164.312(b)")),
        drill,
        0,
        1,
        null,
        null);
  }
}
