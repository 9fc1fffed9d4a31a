package io.leakwatch.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The report's three renderings of one made-up drill: escaped, self-contained, and saying what was
 * missed.
 */
class ReportRenderingTest {
  private final DrillReport report = SampleReport.withAMiss();

  @Test
  void htmlEscapesEveryValueAndLoadsNothingFromOutside() {
    String html = ReportHtml.render(report, SampleReport.history(report));
    assertFalse(html.contains("<script"), "no script, and the hostile id stays text");
    assertFalse(html.contains("<img"), "the hostile title stays text");
    assertFalse(html.contains("<b>005x</b>"));
    assertTrue(html.contains("evil-&lt;script&gt;alert(1)&lt;/script&gt;"));
    assertTrue(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; friends"));
    for (String external :
        List.of("<link", "src=\"", "url(", "@import", "https://", "<iframe", "<object")) {
      assertFalse(html.contains(external), external);
    }
    assertTrue(html.contains("FAILED"));
    assertTrue(html.contains("MISSED LW-009"));
    assertTrue(html.contains("id=\"false-positive-table\""));
    assertTrue(html.contains("leakwatch-engine 0.1.0-TEST"));
  }

  @Test
  void chartsAreWellFormedSvgWithABarPerDetectionAndACrossPerMiss() throws Exception {
    String html = ReportHtml.render(report, SampleReport.history(report));
    Document chart = xml(section(html, "<svg id=\"ttd-chart\"", "</svg>"));
    NodeList rects = chart.getElementsByTagName("rect");
    assertEquals(4, rects.getLength(), "one bar per detected scenario");
    double fast = Double.parseDouble(((Element) rects.item(0)).getAttribute("width"));
    double slow = Double.parseDouble(((Element) rects.item(2)).getAttribute("width"));
    assertTrue(slow > fast * 10, "a two-hour detection draws longer than a zero-second one");
    assertEquals(
        1, chart.getElementsByTagName("path").getLength(), "one cross for the missed scenario");
    Document trend = xml(section(html, "<svg id=\"trend-pass-rate\"", "</svg>"));
    assertEquals(
        3, trend.getElementsByTagName("circle").getLength(), "a point per drill in the history");
  }

  @Test
  void junitHasOneCasePerScenarioAndFailsTheMiss() throws Exception {
    Document junit = xml(DrillJunit.render(report));
    Element suite = junit.getDocumentElement();
    assertEquals("5", suite.getAttribute("tests"));
    assertEquals("1", suite.getAttribute("failures"));
    NodeList cases = junit.getElementsByTagName("testcase");
    assertEquals(5, cases.getLength());
    NodeList failures = junit.getElementsByTagName("failure");
    assertEquals(1, failures.getLength());
    Element failed = (Element) failures.item(0).getParentNode();
    assertEquals("debug-log-harvest", failed.getAttribute("name"));
    assertEquals(
        "expected detection by LW-009 missed",
        ((Element) failures.item(0)).getAttribute("message"));
    assertEquals(
        SampleReport.HOSTILE_ID,
        ((Element) cases.item(4)).getAttribute("name"),
        "escaped on the way out, intact on the way in");
    Element slow = (Element) cases.item(2);
    assertEquals(
        "0.025",
        slow.getAttribute("time"),
        "a case's time is wall time (latency), as CI tools read it");
    assertTrue(
        slow.getTextContent().contains("time to detect 2 h 5 min (7500000 ms event time)"),
        slow.getTextContent());
  }

  @Test
  void jsonCarriesTheSameDataUnderStableNames() throws Exception {
    JsonNode json = new ObjectMapper().readTree(ReportJson.render(report));
    assertEquals(ReportJson.FORMAT, json.get("format").asText());
    assertFalse(json.at("/summary/passed").asBoolean());
    assertEquals(0.8, json.at("/summary/passRate").asDouble());
    assertEquals(7_500_000, json.at("/summary/timeToDetectMaxMillis").asLong());
    JsonNode missed = json.get("scenarios").get(3);
    assertEquals("debug-log-harvest", missed.get("id").asText());
    assertFalse(missed.get("passed").asBoolean());
    assertEquals("LW-009", missed.at("/missedRules/0").asText());
    assertEquals(-1, missed.get("timeToDetectMillis").asLong());
    assertEquals(SampleReport.HOSTILE_TITLE, json.get("scenarios").get(4).get("title").asText());
    JsonNode lw009 = json.get("coverage").get(8);
    assertEquals("LW-009", lw009.get("ruleId").asText());
    assertEquals("missed", lw009.get("status").asText());
    assertEquals(
        "not exercised",
        json.get("coverage").get(1).get("status").asText(),
        "LW-002 has no scenario in this drill");
    assertTrue(lw009.at("/controls/hipaa").size() > 0);
    assertEquals(64, json.at("/evidence/configSha256").asText().length());
  }

  @Test
  void percentilesAreNearestRank() {
    assertEquals(-1, DrillReport.percentile(List.of(), 50));
    assertEquals(0, DrillReport.percentile(List.of(0L, 0L, 150_000L, 7_500_000L), 50));
    assertEquals(2, DrillReport.percentile(List.of(3L, 1L, 2L), 50));
    assertEquals(3, DrillReport.percentile(List.of(3L, 1L, 2L), 100));
  }

  private static String section(String html, String start, String end) {
    int from = html.indexOf(start);
    assertTrue(from >= 0, start);
    return html.substring(from, html.indexOf(end, from) + end.length());
  }

  static Document xml(String text) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return factory
        .newDocumentBuilder()
        .parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }
}
