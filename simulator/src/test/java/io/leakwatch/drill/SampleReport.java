package io.leakwatch.drill;

import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackLoader;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A drill report made up for rendering tests: detections fast and slow, one missed scenario, one
 * false positive, and a scenario whose id and title try to inject markup.
 */
final class SampleReport {
  static final String HOSTILE_ID = "evil-<script>alert(1)</script>";
  static final String HOSTILE_TITLE = "\"><img src=x onerror=alert(1)> & friends";
  private static final long T0 = Instant.parse("2026-03-10T09:00:00Z").toEpochMilli();

  private SampleReport() {}

  static DrillReport withAMiss() {
    RulePack pack = RulePackLoader.defaultPack();
    List<DrillReport.ScenarioRow> rows =
        List.of(
            row(
                "bulk-export-by-person",
                "A scheduler's account pages 2,400 patient contacts",
                List.of("LW-001"),
                List.of(),
                0,
                12),
            row(
                "copied-integration-session",
                "An integration session replayed from a workstation",
                List.of("LW-006"),
                List.of(),
                150_000,
                30),
            row(
                "chunked-slow-exfiltration",
                "450 patient records in 45-row chunks",
                List.of("LW-014"),
                List.of(),
                7_500_000,
                25),
            row(
                "debug-log-harvest",
                "An admin downloads debug logs",
                List.of("LW-009"),
                List.of("LW-009"),
                -1,
                -1),
            row(HOSTILE_ID, HOSTILE_TITLE, List.of("LW-007"), List.of(), 42_000, 8));
    Map<String, String> settings =
        new TreeMap<>(Map.of("seed", "7", "users", "500", "scenarios", "five <of> them"));
    DrillReport.Evidence evidence =
        new DrillReport.Evidence(
            "leakwatch-engine 0.1.0-TEST",
            pack.name(),
            pack.version(),
            pack.sha256(),
            Drill.configHash(settings),
            settings,
            7,
            rows.stream().map(DrillReport.ScenarioRow::id).toList(),
            Instant.parse("2026-03-31T10:00:00Z"),
            Instant.parse("2026-03-31T10:00:21Z"));
    List<DrillReport.AlertRef> falsePositives =
        List.of(new DrillReport.AlertRef("lw-fp-1", "LW-003", "medium", 1, "<b>005x</b>", T0 + 5));
    DrillReport.Figures figures =
        new DrillReport.Figures(
            5, 4, 4, 0.8, 42_000, 7_500_000, 25, 30, 5_124, 5_124, 0, 6, 1, 21_000);
    return new DrillReport(
        evidence, figures, rows, falsePositives, DrillReport.coverage(pack, rows));
  }

  static List<DrillHistory.Entry> history(DrillReport latest) {
    return List.of(
        new DrillHistory.Entry(
            Instant.parse("2025-09-30T10:00:00Z"), 0.6, 3, 5, 300_000, 9_000_000, 2, "aa", 7, "q3"),
        new DrillHistory.Entry(
            Instant.parse("2025-12-31T10:00:00Z"), 1.0, 5, 5, 60_000, 8_000_000, 0, "bb", 7, "q4"),
        DrillHistory.Entry.of(latest, "q1"));
  }

  private static DrillReport.ScenarioRow row(
      String id, String title, List<String> expected, List<String> missed, long ttd, long latency) {
    List<String> detectedBy = expected.stream().filter(r -> !missed.contains(r)).toList();
    List<DrillReport.AlertRef> alerts =
        detectedBy.stream()
            .map(
                r ->
                    new DrillReport.AlertRef(
                        "lw-" + Math.abs((id + r).hashCode()),
                        r,
                        "high",
                        1,
                        "005000000000001AAA",
                        T0 + ttd))
            .toList();
    return new DrillReport.ScenarioRow(
        id, title, expected, detectedBy, missed, alerts, T0, ttd, latency);
  }
}
