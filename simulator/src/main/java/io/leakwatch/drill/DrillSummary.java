package io.leakwatch.drill;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leakwatch.decision.Alert;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.sim.scenario.ScenarioOutcome;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/** The end-of-run summary of a drill or demo: on a terminal and as JSON. Ids and counts only. */
public final class DrillSummary {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private DrillSummary() {}

  public static void print(LiveDrill.Result result, PrintStream out) {
    out.println();
    out.println("=== Summary ===");
    out.printf(
        Locale.ROOT,
        "Events published %d, processed %d, dead-lettered %d, in %.1f s%n",
        result.eventsPublished(),
        result.eventsProcessed(),
        result.stats().totalDeadLettered(),
        result.wallMillis() / 1000.0);
    result.stats().processedByTopic().forEach((topic, n) -> out.printf("  %-28s %8d%n", topic, n));
    out.println("Alerts per rule:");
    Map<String, Long> byRule = LiveDrill.alertsByRule(result.alerts());
    if (byRule.isEmpty()) {
      out.println("  (none)");
    }
    byRule.forEach((rule, n) -> out.printf("  %-8s %d%n", rule, n));
    out.println("Injected scenarios:");
    for (ScenarioOutcome.Result r : result.outcome().results()) {
      out.printf(
          Locale.ROOT,
          "  %-32s %-9s %s%s%n",
          r.scenario().id(),
          r.detected() ? "DETECTED" : "MISSED",
          r.detected()
              ? "by " + String.join(",", r.alerts().stream().map(Alert::ruleId).distinct().toList())
              : "expected " + r.scenario().expectedRules(),
          r.detected() ? " in " + human(r.timeToDetectMillis()) + " of event time" : "");
    }
    out.printf(
        "Alerts no scenario explains (false positives): %d%n",
        result.outcome().unexplained().size());
    for (Alert alert : result.outcome().unexplained()) {
      out.printf("  %s %s principal=%s%n", alert.ruleId(), alert.id(), alert.principal());
    }
  }

  private static String human(long millis) {
    Duration d = Duration.ofMillis(millis);
    return d.toMinutes() > 0
        ? d.toMinutes() + " min " + d.toSecondsPart() + " s"
        : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  public static String json(LiveDrill.Result result, RulePack pack) throws Exception {
    ObjectNode root = JSON.createObjectNode();
    root.put("seed", result.org().seed());
    root.put("orgId", result.org().orgId());
    root.put("users", result.org().people().size());
    ObjectNode rules = root.putObject("rulePack");
    rules.put("name", pack.name());
    rules.put("version", pack.version());
    rules.put("sha256", pack.sha256());
    root.put("eventsPublished", result.eventsPublished());
    root.put("eventsProcessed", result.eventsProcessed());
    root.put("eventsDeadLettered", result.stats().totalDeadLettered());
    ObjectNode byRule = root.putObject("alertsByRule");
    LiveDrill.alertsByRule(result.alerts()).forEach(byRule::put);
    ArrayNode scenarios = root.putArray("scenarios");
    for (ScenarioOutcome.Result r : result.outcome().results()) {
      ObjectNode s = scenarios.addObject();
      s.put("id", r.scenario().id());
      s.put("title", r.scenario().title());
      r.scenario().expectedRules().forEach(s.putArray("expectedRules")::add);
      s.put("detected", r.detected());
      r.alerts()
          .forEach(
              a ->
                  s.withArray("alerts")
                      .addObject()
                      .put("id", a.id())
                      .put("ruleId", a.ruleId())
                      .put("severity", a.severity().label()));
      s.put("timeToDetectMillis", r.timeToDetectMillis());
    }
    ArrayNode unexplained = root.putArray("falsePositives");
    result
        .outcome()
        .unexplained()
        .forEach(
            a ->
                unexplained
                    .addObject()
                    .put("id", a.id())
                    .put("ruleId", a.ruleId())
                    .put("principal", a.principal()));
    return JSON.writeValueAsString(root) + "\n";
  }
}
