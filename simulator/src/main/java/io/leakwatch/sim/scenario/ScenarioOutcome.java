package io.leakwatch.sim.scenario;

import io.leakwatch.decision.Alert;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Which injected scenarios the alerts caught, by which rule, how fast in event time, and which
 * alerts no scenario explains (false positives). An alert explains a scenario when it comes from an
 * expected rule and its evidence includes one of the scenario's events.
 */
public record ScenarioOutcome(List<Result> results, List<Alert> unexplained) {
  /**
   * @param timeToDetectMillis event time from the start of the leak to its first matching alert, or
   *     -1 when missed; 0 when an alert came before the leak itself (a Threat Detection signal
   *     ahead of the data access)
   */
  public record Result(InjectedScenario scenario, List<Alert> alerts, long timeToDetectMillis) {
    public boolean detected() {
      return !alerts.isEmpty();
    }
  }

  public static ScenarioOutcome match(List<InjectedScenario> scenarios, List<Alert> alerts) {
    List<Result> results = new ArrayList<>();
    List<Alert> unexplained = new ArrayList<>(alerts);
    for (InjectedScenario scenario : scenarios) {
      List<Alert> matching = new ArrayList<>();
      for (Alert alert : alerts) {
        boolean explains =
            scenario.expectedRules().contains(alert.ruleId())
                && !Collections.disjoint(alert.evidence(), scenario.eventIds());
        if (explains) {
          matching.add(alert);
          unexplained.remove(alert);
        }
      }
      long ttd =
          matching.stream().mapToLong(Alert::detectedAt).min().stream()
              .map(first -> Math.max(0, first - scenario.firstEventTime()))
              .findFirst()
              .orElse(-1);
      results.add(new Result(scenario, List.copyOf(matching), ttd));
    }
    return new ScenarioOutcome(List.copyOf(results), List.copyOf(unexplained));
  }

  public boolean allDetected() {
    return results.stream().allMatch(Result::detected);
  }
}
