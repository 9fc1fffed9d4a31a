package io.leakwatch.drill;

import io.leakwatch.decision.Alert;
import io.leakwatch.rulepack.RuleDefinition;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.sim.scenario.ScenarioOutcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything a drill report says, in one value: the evidence header, one row per scenario, the
 * alerts no scenario explains, rule coverage and the headline figures. The HTML, JSON and JUnit
 * files are renderings of it. Ids, counts, rule and control names only; never a record value.
 */
public record DrillReport(
    Evidence evidence,
    Figures figures,
    List<ScenarioRow> scenarios,
    List<AlertRef> falsePositives,
    List<RuleCoverage> coverage) {

  /**
   * What ran, so a reader can tell exactly which rules and settings produced the results.
   *
   * @param configSha256 SHA-256 of {@code settings} as canonical {@code key=value} lines (sorted,
   *     one per line)
   * @param settings the drill's effective settings
   */
  public record Evidence(
      String engineVersion,
      String rulePackName,
      String rulePackVersion,
      String rulePackSha256,
      String configSha256,
      Map<String, String> settings,
      long seed,
      List<String> scenarioSet,
      Instant startedAt,
      Instant finishedAt) {}

  /**
   * @param passRate passed / scenarios, 0 when no scenario ran
   * @param timeToDetectP50Millis median event time to detect over detected scenarios, -1 when none
   * @param latencyP50Millis median wall time from an alert's triggering event reaching the engine
   *     to the alert's delivery, -1 when unknown
   */
  public record Figures(
      int scenarios,
      int passed,
      int detected,
      double passRate,
      long timeToDetectP50Millis,
      long timeToDetectMaxMillis,
      long latencyP50Millis,
      long latencyMaxMillis,
      long eventsPublished,
      long eventsProcessed,
      long eventsDeadLettered,
      int alerts,
      int falsePositives,
      long wallMillis) {}

  /**
   * One scenario's outcome.
   *
   * @param detectedBy expected rules that raised a matching alert
   * @param missedRules expected rules that did not; the scenario passes only when this is empty
   * @param timeToDetectMillis event time from the scenario's first leaking event to its first
   *     matching alert, -1 when missed
   * @param latencyMillis wall time from receipt of the triggering event to delivery of that first
   *     alert, -1 when missed or unknown
   */
  public record ScenarioRow(
      String id,
      String title,
      List<String> expectedRules,
      List<String> detectedBy,
      List<String> missedRules,
      List<AlertRef> alerts,
      long leakStart,
      long timeToDetectMillis,
      long latencyMillis) {
    public boolean passed() {
      return missedRules.isEmpty();
    }

    public boolean detected() {
      return !detectedBy.isEmpty();
    }
  }

  /** An alert as the report cites it: ids and when, never what it read. */
  public record AlertRef(
      String id, String ruleId, String severity, int revision, String principal, long detectedAt) {
    static AlertRef of(Alert a) {
      return new AlertRef(
          a.id(), a.ruleId(), a.severity().label(), a.revision(), a.principal(), a.detectedAt());
    }
  }

  /**
   * A rule of the pack against the drill: which scenarios expected it and whether they caught it.
   *
   * @param status {@code covered} (every scenario expecting it saw it), {@code missed} (one did
   *     not) or {@code not exercised} (no scenario of this drill expects it)
   */
  public record RuleCoverage(
      String ruleId,
      String title,
      List<String> attack,
      Map<String, List<String>> controls,
      List<String> scenarios,
      String status) {}

  public boolean allPassed() {
    return scenarios.stream().allMatch(ScenarioRow::passed);
  }

  /** Builds the report of a finished drill. */
  public static DrillReport of(LiveDrill.Result result, RulePack pack, Evidence evidence) {
    List<ScenarioRow> rows = new ArrayList<>();
    for (ScenarioOutcome.Result r : result.outcome().results()) {
      Set<String> fired = new LinkedHashSet<>();
      r.alerts().forEach(a -> fired.add(a.ruleId()));
      List<String> detectedBy =
          r.scenario().expectedRules().stream().filter(fired::contains).toList();
      List<String> missed =
          r.scenario().expectedRules().stream().filter(rule -> !fired.contains(rule)).toList();
      Alert first =
          r.alerts().stream()
              .min(Comparator.comparingLong(Alert::detectedAt).thenComparing(Alert::id))
              .orElse(null);
      rows.add(
          new ScenarioRow(
              r.scenario().id(),
              r.scenario().title(),
              r.scenario().expectedRules(),
              detectedBy,
              missed,
              r.alerts().stream().map(AlertRef::of).toList(),
              r.scenario().firstEventTime(),
              r.timeToDetectMillis(),
              first == null ? -1 : result.latencyMillis(first)));
    }
    List<AlertRef> falsePositives =
        result.outcome().unexplained().stream().map(AlertRef::of).toList();
    long latencyMax =
        result.alerts().stream()
            .mapToLong(result::latencyMillis)
            .filter(l -> l >= 0)
            .max()
            .orElse(-1);
    long latencyP50 =
        percentile(
            result.alerts().stream().map(result::latencyMillis).filter(l -> l >= 0).toList(), 50);
    List<Long> ttd =
        rows.stream().map(ScenarioRow::timeToDetectMillis).filter(t -> t >= 0).toList();
    int passed = (int) rows.stream().filter(ScenarioRow::passed).count();
    Figures figures =
        new Figures(
            rows.size(),
            passed,
            (int) rows.stream().filter(ScenarioRow::detected).count(),
            rows.isEmpty() ? 0 : (double) passed / rows.size(),
            percentile(ttd, 50),
            ttd.stream().mapToLong(Long::longValue).max().orElse(-1),
            latencyP50,
            latencyMax,
            result.eventsPublished(),
            result.eventsProcessed(),
            result.stats().totalDeadLettered(),
            result.alerts().size(),
            falsePositives.size(),
            result.wallMillis());
    return new DrillReport(
        evidence, figures, List.copyOf(rows), falsePositives, coverage(pack, rows));
  }

  static List<RuleCoverage> coverage(RulePack pack, List<ScenarioRow> rows) {
    List<RuleCoverage> coverage = new ArrayList<>();
    for (RuleDefinition rule :
        pack.rules().stream().sorted(Comparator.comparing(RuleDefinition::id)).toList()) {
      List<ScenarioRow> expecting =
          rows.stream().filter(r -> r.expectedRules().contains(rule.id())).toList();
      String status =
          expecting.isEmpty()
              ? "not exercised"
              : expecting.stream().allMatch(r -> r.detectedBy().contains(rule.id()))
                  ? "covered"
                  : "missed";
      coverage.add(
          new RuleCoverage(
              rule.id(),
              rule.metadata().title(),
              rule.metadata().attack(),
              new TreeMap<>(rule.metadata().controls()),
              expecting.stream().map(ScenarioRow::id).toList(),
              status));
    }
    return List.copyOf(coverage);
  }

  /** Nearest-rank percentile of {@code values}, -1 when empty. */
  static long percentile(List<Long> values, int p) {
    if (values.isEmpty()) {
      return -1;
    }
    List<Long> sorted = values.stream().sorted().toList();
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }
}
