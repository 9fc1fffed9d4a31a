package io.leakwatch.drill;

import java.util.Locale;

/**
 * junit.xml: one test case per scenario, failing when an expected rule did not detect it, so a
 * rules repository's CI can gate on a drill with the JUnit support it already has.
 */
public final class DrillJunit {
  private DrillJunit() {}

  public static String render(DrillReport report) {
    long failures = report.scenarios().stream().filter(r -> !r.passed()).count();
    StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.append(
        String.format(
            Locale.ROOT,
            "<testsuite name=\"leakwatch-drill\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"0\" time=\"%.3f\" timestamp=\"%s\">%n",
            report.scenarios().size(),
            failures,
            report.figures().wallMillis() / 1000.0,
            report.evidence().startedAt()));
    xml.append("  <properties>\n");
    property(xml, "engineVersion", report.evidence().engineVersion());
    property(
        xml,
        "rulePack",
        report.evidence().rulePackName() + " " + report.evidence().rulePackVersion());
    property(xml, "rulePackSha256", report.evidence().rulePackSha256());
    property(xml, "configSha256", report.evidence().configSha256());
    property(xml, "seed", Long.toString(report.evidence().seed()));
    property(xml, "falsePositives", Integer.toString(report.figures().falsePositives()));
    xml.append("  </properties>\n");
    for (DrillReport.ScenarioRow row : report.scenarios()) {
      // CI tools read a test's time as wall time: the processing latency. Time to detect is event
      // time (hours for a slow leak), so it goes in the case's output instead.
      xml.append(
          String.format(
              Locale.ROOT,
              "  <testcase classname=\"drill.%s\" name=\"%s\" time=\"%.3f\">%n",
              Markup.escape(String.join("+", row.expectedRules())),
              Markup.escape(row.id()),
              Math.max(0, row.latencyMillis()) / 1000.0));
      if (row.passed()) {
        xml.append("    <system-out>")
            .append(
                Markup.escape(
                    "detected by "
                        + String.join(", ", row.detectedBy())
                        + "; time to detect "
                        + Durations.human(row.timeToDetectMillis())
                        + " ("
                        + row.timeToDetectMillis()
                        + " ms event time); latency "
                        + Durations.wall(row.latencyMillis())))
            .append("</system-out>\n  </testcase>\n");
      } else {
        String message =
            "expected detection by " + String.join(", ", row.missedRules()) + " missed";
        xml.append("    <failure message=\"")
            .append(Markup.escape(message))
            .append("\" type=\"MissedDetection\">")
            .append(
                Markup.escape(
                    row.title()
                        + ": expected "
                        + row.expectedRules()
                        + ", detected by "
                        + row.detectedBy()))
            .append("</failure>\n  </testcase>\n");
      }
    }
    xml.append("</testsuite>\n");
    return xml.toString();
  }

  private static void property(StringBuilder xml, String name, String value) {
    xml.append("    <property name=\"")
        .append(Markup.escape(name))
        .append("\" value=\"")
        .append(Markup.escape(value))
        .append("\"/>\n");
  }
}
