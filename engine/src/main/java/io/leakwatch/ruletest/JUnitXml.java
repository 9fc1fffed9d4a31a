package io.leakwatch.ruletest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Rule test results as JUnit XML, the format every CI system reads. */
public final class JUnitXml {
  private JUnitXml() {}

  public static void write(Path file, String suite, List<RuleTests.Result> results)
      throws IOException {
    long failures = results.stream().filter(r -> !r.passed()).count();
    double seconds = results.stream().mapToLong(RuleTests.Result::millis).sum() / 1000.0;
    StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.append(
        String.format(
            Locale.ROOT,
            "<testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"0\" time=\"%.3f\">%n",
            escape(suite),
            results.size(),
            failures,
            seconds));
    for (RuleTests.Result r : results) {
      xml.append(
          String.format(
              Locale.ROOT,
              "  <testcase classname=\"%s\" name=\"%s\" time=\"%.3f\"",
              escape(r.testCase().ruleFolder()),
              escape(r.testCase().name()),
              r.millis() / 1000.0));
      if (r.passed()) {
        xml.append("/>\n");
      } else {
        xml.append(">\n    <failure message=\"")
            .append(escape(r.problem()))
            .append("\">")
            .append(escape(r.testCase().source() + "\nactual alerts: " + r.actual()))
            .append("</failure>\n  </testcase>\n");
      }
    }
    xml.append("</testsuite>\n");
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, xml);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
