package io.leakwatch.alert;

import io.leakwatch.decision.Alert;
import io.leakwatch.rulepack.Severity;
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
    return Alert.builder()
        .id(id)
        .ruleId("LW-001")
        .title("Bulk read of patient records")
        .severity(severity)
        .principal("0055f000003TeLeAAA")
        .count(240)
        .objects("Contact,Case")
        .firstEventTime(T0)
        .lastEventTime(T0 + 60_000)
        .detectedAt(T0 + 61_000)
        .evidence(List.of("ev-1", "ev-2"))
        .reasons(List.of("240 rows of PHI in 5 minutes (threshold 100)"))
        .decidedBy(List.of("bulk-read-person"))
        .attack(List.of("T1530"))
        .controls(Map.of("HIPAA", List.of("164.312(b)")))
        .drill(drill)
        .build();
  }
}
