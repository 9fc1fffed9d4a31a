package io.leakwatch.drill;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/**
 * report.json: the drill report as data, with field names that stay stable across versions (the
 * {@code format} field changes when one does). Described in the README's "Leak drills" section.
 */
public final class ReportJson {
  public static final String FORMAT = "leakwatch-drill-report/1";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportJson() {}

  public static String render(DrillReport report) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    DrillReport.Evidence e = report.evidence();
    ObjectNode evidence = root.putObject("evidence");
    evidence.put("engineVersion", e.engineVersion());
    ObjectNode pack = evidence.putObject("rulePack");
    pack.put("name", e.rulePackName());
    pack.put("version", e.rulePackVersion());
    pack.put("sha256", e.rulePackSha256());
    evidence.put("configSha256", e.configSha256());
    ObjectNode settings = evidence.putObject("settings");
    e.settings().forEach(settings::put);
    evidence.put("seed", e.seed());
    strings(evidence.putArray("scenarioSet"), e.scenarioSet());
    evidence.put("startedAt", e.startedAt().toString());
    evidence.put("finishedAt", e.finishedAt().toString());

    DrillReport.Figures f = report.figures();
    ObjectNode summary = root.putObject("summary");
    summary.put("passed", report.allPassed());
    summary.put("scenarios", f.scenarios());
    summary.put("scenariosPassed", f.passed());
    summary.put("scenariosDetected", f.detected());
    summary.put("passRate", f.passRate());
    summary.put("timeToDetectP50Millis", f.timeToDetectP50Millis());
    summary.put("timeToDetectMaxMillis", f.timeToDetectMaxMillis());
    summary.put("latencyP50Millis", f.latencyP50Millis());
    summary.put("latencyMaxMillis", f.latencyMaxMillis());
    summary.put("eventsPublished", f.eventsPublished());
    summary.put("eventsProcessed", f.eventsProcessed());
    summary.put("eventsDeadLettered", f.eventsDeadLettered());
    summary.put("alerts", f.alerts());
    summary.put("falsePositives", f.falsePositives());
    summary.put("wallMillis", f.wallMillis());

    ArrayNode scenarios = root.putArray("scenarios");
    for (DrillReport.ScenarioRow row : report.scenarios()) {
      ObjectNode s = scenarios.addObject();
      s.put("id", row.id());
      s.put("title", row.title());
      strings(s.putArray("expectedRules"), row.expectedRules());
      s.put("detected", row.detected());
      s.put("passed", row.passed());
      strings(s.putArray("detectedBy"), row.detectedBy());
      strings(s.putArray("missedRules"), row.missedRules());
      s.put("leakStart", Instant.ofEpochMilli(row.leakStart()).toString());
      s.put("timeToDetectMillis", row.timeToDetectMillis());
      s.put("latencyMillis", row.latencyMillis());
      alerts(s.putArray("alerts"), row.alerts());
    }
    alerts(root.putArray("falsePositives"), report.falsePositives());

    ArrayNode coverage = root.putArray("coverage");
    for (DrillReport.RuleCoverage c : report.coverage()) {
      ObjectNode r = coverage.addObject();
      r.put("ruleId", c.ruleId());
      r.put("title", c.title());
      strings(r.putArray("attack"), c.attack());
      ObjectNode controls = r.putObject("controls");
      c.controls().forEach((framework, ids) -> strings(controls.putArray(framework), ids));
      strings(r.putArray("scenarios"), c.scenarios());
      r.put("status", c.status());
    }
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException failure) {
      throw new IllegalStateException("report.json could not be written", failure);
    }
  }

  private static void strings(ArrayNode array, List<String> values) {
    values.forEach(array::add);
  }

  private static void alerts(ArrayNode array, List<DrillReport.AlertRef> alerts) {
    for (DrillReport.AlertRef a : alerts) {
      array
          .addObject()
          .put("id", a.id())
          .put("ruleId", a.ruleId())
          .put("severity", a.severity())
          .put("revision", a.revision())
          .put("principal", a.principal())
          .put("detectedAt", Instant.ofEpochMilli(a.detectedAt()).toString());
    }
  }
}
