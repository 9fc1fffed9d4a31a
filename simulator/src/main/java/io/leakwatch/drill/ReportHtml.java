package io.leakwatch.drill;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * report.html: one self-contained page an auditor can open offline. Inline CSS and SVG only: no
 * script, no external font, image or stylesheet. Every value from the run is escaped.
 */
public final class ReportHtml {
  /** How the control frameworks of rule.yaml are titled; other frameworks keep their key. */
  private static final Map<String, String> FRAMEWORKS = new LinkedHashMap<>();

  static {
    FRAMEWORKS.put("soc2", "SOC 2");
    FRAMEWORKS.put("iso27001", "ISO 27001");
    FRAMEWORKS.put("hipaa", "HIPAA");
  }

  private static final int TREND_ROWS = 12;

  private static final String CSS =
      """
      body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2328;margin:0;background:#fff}
      main{max-width:1180px;margin:0 auto;padding:24px 28px 48px}
      h1{font-size:26px;margin:0 0 4px}
      h2{font-size:19px;margin:34px 0 10px;padding-bottom:6px;border-bottom:1px solid #d0d7de}
      p.lead{margin:0 0 16px;color:#57606a}
      .verdict{display:inline-block;padding:4px 12px;border-radius:14px;font-weight:700;font-size:14px;margin-left:10px;vertical-align:middle}
      .verdict.pass{background:#dafbe1;color:#116329}
      .verdict.fail{background:#ffebe9;color:#a40e26}
      table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0}
      th,td{border:1px solid #d0d7de;padding:5px 8px;text-align:left;vertical-align:top}
      th{background:#f6f8fa;font-weight:600}
      td.num{text-align:right;font-variant-numeric:tabular-nums}
      td.ok{background:#dafbe1;color:#116329;font-weight:600}
      td.bad{background:#ffebe9;color:#a40e26;font-weight:600}
      td.idle{color:#8c959f}
      td.mark{text-align:center}
      #coverage-grid th{white-space:nowrap}
      code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
      .cards{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0}
      .card{border:1px solid #d0d7de;border-radius:8px;padding:10px 14px;min-width:150px}
      .card .value{font-size:22px;font-weight:700}
      .card .label{font-size:12px;color:#57606a}
      .evidence th{width:230px}
      .trend{display:flex;gap:24px;flex-wrap:wrap;margin:8px 0}
      .note{font-size:12px;color:#57606a}
      """;

  private ReportHtml() {}

  public static String render(DrillReport report, List<DrillHistory.Entry> history) {
    DrillReport.Evidence e = report.evidence();
    DrillReport.Figures f = report.figures();
    StringBuilder h = new StringBuilder(32_768);
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.append("<title>Leakwatch leak drill ")
        .append(esc(e.finishedAt().toString()))
        .append("</title>\n");
    h.append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n<main>\n");
    h.append("<h1>Leakwatch leak drill<span class=\"verdict ")
        .append(report.allPassed() ? "pass\">PASSED" : "fail\">FAILED")
        .append("</span></h1>\n");
    h.append(
            "<p class=\"lead\">Simulated PHI leak scenarios played through the Salesforce Pub/Sub path (gRPC over TLS) into the "
                + "detection engine; what was caught, by which rule and how fast. Finished ")
        .append(esc(e.finishedAt().toString()))
        .append(".</p>\n");

    h.append("<h2 id=\"summary\">Summary</h2>\n<div class=\"cards\">\n");
    card(h, f.passed() + " / " + f.scenarios(), "scenarios passed (every expected rule fired)");
    card(h, String.format(Locale.ROOT, "%.0f %%", 100 * f.passRate()), "pass rate");
    card(h, Durations.human(f.timeToDetectP50Millis()), "time to detect, median (event time)");
    card(h, Durations.human(f.timeToDetectMaxMillis()), "time to detect, max (event time)");
    card(
        h,
        Durations.wall(f.latencyP50Millis()) + " / " + Durations.wall(f.latencyMaxMillis()),
        "processing latency p50 / max (wall)");
    card(h, Integer.toString(f.falsePositives()), "alerts no scenario explains");
    h.append("</div>\n");
    h.append(
        String.format(
            Locale.ROOT,
            "<p class=\"note\">%,d events published, %,d processed, %,d dead-lettered; %d alerts; drill took %.1f s of wall time.</p>%n",
            f.eventsPublished(),
            f.eventsProcessed(),
            f.eventsDeadLettered(),
            f.alerts(),
            f.wallMillis() / 1000.0));

    h.append(
        "<h2 id=\"scenarios\">Scenarios</h2>\n<table id=\"scenario-table\">\n<thead><tr><th>Scenario</th><th>Expected rules</th>"
            + "<th>Detected by</th><th>Result</th><th>Time to detect</th><th>Latency</th><th>Alerts</th></tr></thead>\n<tbody>\n");
    for (DrillReport.ScenarioRow row : report.scenarios()) {
      h.append("<tr><td><strong>")
          .append(esc(row.id()))
          .append("</strong><br>")
          .append(esc(row.title()))
          .append("</td>");
      h.append("<td>").append(esc(String.join(", ", row.expectedRules()))).append("</td>");
      h.append("<td>").append(esc(String.join(", ", row.detectedBy()))).append("</td>");
      if (row.passed()) {
        h.append("<td class=\"ok\">detected</td>");
      } else {
        h.append("<td class=\"bad\">MISSED ")
            .append(esc(String.join(", ", row.missedRules())))
            .append("</td>");
      }
      h.append("<td class=\"num\">")
          .append(esc(Durations.human(row.timeToDetectMillis())))
          .append("</td>");
      h.append("<td class=\"num\">")
          .append(esc(Durations.wall(row.latencyMillis())))
          .append("</td>");
      h.append("<td class=\"mono\">");
      for (DrillReport.AlertRef a : row.alerts()) {
        h.append(
                esc(
                    a.ruleId()
                        + " "
                        + a.id()
                        + (a.revision() > 1 ? " r" + a.revision() : "")
                        + " "
                        + a.severity()))
            .append("<br>");
      }
      h.append("</td></tr>\n");
    }
    h.append("</tbody>\n</table>\n");
    h.append(
        "<p class=\"note\">Time to detect runs in event time from the scenario's first leaking event to its first matching alert, "
            + "so it does not depend on how fast the drill replayed. Latency is wall time from the triggering event reaching the engine to "
            + "the alert's delivery.</p>\n");

    h.append("<h2 id=\"chart\">Time to detect per scenario</h2>\n");
    h.append(TimeToDetectChart.svg(report.scenarios()));

    h.append("<h2 id=\"coverage\">Coverage</h2>\n");
    coverageGrid(h, report);
    controls(h, report);

    h.append("<h2 id=\"false-positives\">Alerts no scenario explains</h2>\n");
    if (report.falsePositives().isEmpty()) {
      h.append("<p>None: every alert of the drill belongs to an injected scenario.</p>\n");
    } else {
      h.append(
          "<table id=\"false-positive-table\">\n<thead><tr><th>Rule</th><th>Alert</th><th>Severity</th><th>Principal</th>"
              + "<th>Detected at (event time)</th></tr></thead>\n<tbody>\n");
      for (DrillReport.AlertRef a : report.falsePositives()) {
        h.append("<tr><td>")
            .append(esc(a.ruleId()))
            .append("</td><td class=\"mono\">")
            .append(esc(a.id()))
            .append("</td><td>")
            .append(esc(a.severity()))
            .append("</td><td class=\"mono\">")
            .append(esc(a.principal()))
            .append("</td><td>")
            .append(esc(Instant.ofEpochMilli(a.detectedAt()).toString()))
            .append("</td></tr>\n");
      }
      h.append("</tbody>\n</table>\n");
    }

    h.append("<h2 id=\"trend\">Trend across drills</h2>\n");
    trend(h, history);

    h.append(
        "<h2 id=\"evidence\">Evidence</h2>\n<table class=\"evidence\" id=\"evidence-table\">\n<tbody>\n");
    evidence(h, "Engine version", e.engineVersion());
    evidence(h, "Rule pack", e.rulePackName() + " " + e.rulePackVersion());
    evidence(h, "Rule pack SHA-256", e.rulePackSha256());
    evidence(h, "Config SHA-256", e.configSha256());
    evidence(h, "Seed", Long.toString(e.seed()));
    evidence(h, "Scenario set", String.join(", ", e.scenarioSet()));
    evidence(h, "Started", e.startedAt().toString());
    evidence(h, "Finished", e.finishedAt().toString());
    StringBuilder settings = new StringBuilder();
    e.settings().forEach((k, v) -> settings.append(k).append('=').append(v).append('\n'));
    evidence(h, "Settings (hashed as the config SHA-256)", settings.toString().strip());
    h.append("</tbody>\n</table>\n");
    h.append(
        "<p class=\"note\">Every file of this report is listed with its SHA-256 in <code>manifest.json</code> (signed in "
            + "<code>manifest.sig</code> when the drill was given a key). Check them with <code>leakwatch drill verify DIR</code>.</p>\n");
    h.append("</main>\n</body>\n</html>\n");
    return h.toString();
  }

  private static void coverageGrid(StringBuilder h, DrillReport report) {
    List<String> rules = report.coverage().stream().map(DrillReport.RuleCoverage::ruleId).toList();
    h.append(
        "<p class=\"note\">Scenarios × rules: ✔ the expected rule detected the scenario, ✘ it did not, · not expected.</p>\n");
    h.append("<table id=\"coverage-grid\">\n<thead><tr><th>Scenario</th>");
    rules.forEach(r -> h.append("<th>").append(esc(r)).append("</th>"));
    h.append("</tr></thead>\n<tbody>\n");
    for (DrillReport.ScenarioRow row : report.scenarios()) {
      h.append("<tr><td>").append(esc(row.id())).append("</td>");
      for (String rule : rules) {
        if (!row.expectedRules().contains(rule)) {
          h.append("<td class=\"mark idle\">·</td>");
        } else if (row.detectedBy().contains(rule)) {
          h.append("<td class=\"mark ok\">✔</td>");
        } else {
          h.append("<td class=\"mark bad\">✘</td>");
        }
      }
      h.append("</tr>\n");
    }
    h.append("</tbody>\n</table>\n");
  }

  private static void controls(StringBuilder h, DrillReport report) {
    TreeSet<String> others = new TreeSet<>();
    report
        .coverage()
        .forEach(
            c ->
                c.controls().keySet().stream()
                    .filter(k -> !FRAMEWORKS.containsKey(k))
                    .forEach(others::add));
    List<String> frameworks = new java.util.ArrayList<>(FRAMEWORKS.keySet());
    frameworks.addAll(others);
    h.append(
        "<p class=\"note\">Rules × controls, from each rule's metadata, with the scenarios that exercised the rule.</p>\n");
    h.append("<table id=\"control-table\">\n<thead><tr><th>Rule</th><th>ATT&amp;CK</th>");
    frameworks.forEach(
        fw -> h.append("<th>").append(esc(FRAMEWORKS.getOrDefault(fw, fw))).append("</th>"));
    h.append("<th>Scenarios</th><th>Status</th></tr></thead>\n<tbody>\n");
    for (DrillReport.RuleCoverage c : report.coverage()) {
      h.append("<tr><td><strong>")
          .append(esc(c.ruleId()))
          .append("</strong> ")
          .append(esc(c.title()))
          .append("</td>");
      h.append("<td>").append(esc(String.join(", ", c.attack()))).append("</td>");
      for (String fw : frameworks) {
        h.append("<td>")
            .append(esc(String.join(", ", c.controls().getOrDefault(fw, List.of()))))
            .append("</td>");
      }
      h.append("<td>").append(esc(String.join(", ", c.scenarios()))).append("</td>");
      String css =
          switch (c.status()) {
            case "covered" -> "ok";
            case "missed" -> "bad";
            default -> "idle";
          };
      h.append("<td class=\"")
          .append(css)
          .append("\">")
          .append(esc(c.status()))
          .append("</td></tr>\n");
    }
    h.append("</tbody>\n</table>\n");
  }

  private static void trend(StringBuilder h, List<DrillHistory.Entry> history) {
    if (history.isEmpty()) {
      h.append("<p>No drill history.</p>\n");
      return;
    }
    List<DrillHistory.Entry> recent =
        history.subList(Math.max(0, history.size() - TREND_ROWS), history.size());
    h.append(TrendChart.svg(recent));
    h.append(
        "<table id=\"trend-table\">\n<thead><tr><th>Finished</th><th>Passed</th><th>Pass rate</th><th>Time to detect p50</th>"
            + "<th>Time to detect max</th><th>False positives</th><th>Rule pack SHA-256</th></tr></thead>\n<tbody>\n");
    for (int i = recent.size() - 1; i >= 0; i--) {
      DrillHistory.Entry run = recent.get(i);
      h.append("<tr><td>")
          .append(esc(run.finishedAt().toString()))
          .append("</td><td class=\"num\">")
          .append(run.passed())
          .append(" / ")
          .append(run.scenarios())
          .append("</td><td class=\"num\">")
          .append(String.format(Locale.ROOT, "%.0f %%", 100 * run.passRate()))
          .append("</td><td class=\"num\">")
          .append(esc(Durations.human(run.timeToDetectP50Millis())))
          .append("</td><td class=\"num\">")
          .append(esc(Durations.human(run.timeToDetectMaxMillis())))
          .append("</td><td class=\"num\">")
          .append(run.falsePositives())
          .append("</td><td class=\"mono\">")
          .append(esc(abbreviate(run.rulePackSha256())))
          .append("</td></tr>\n");
    }
    h.append("</tbody>\n</table>\n");
    if (history.size() > recent.size()) {
      h.append("<p class=\"note\">The last ")
          .append(recent.size())
          .append(" of ")
          .append(history.size())
          .append(" drills.</p>\n");
    }
  }

  private static String abbreviate(String sha) {
    return sha.length() > 16 ? sha.substring(0, 16) + "…" : sha;
  }

  private static void card(StringBuilder h, String value, String label) {
    h.append("<div class=\"card\"><div class=\"value\">")
        .append(esc(value))
        .append("</div><div class=\"label\">")
        .append(esc(label))
        .append("</div></div>\n");
  }

  private static void evidence(StringBuilder h, String name, String value) {
    h.append("<tr><th>")
        .append(esc(name))
        .append("</th><td class=\"mono\">")
        .append(esc(value).replace("\n", "<br>"))
        .append("</td></tr>\n");
  }

  private static String esc(String text) {
    return Markup.escape(text);
  }
}
