package io.leakwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leakwatch.alert.AlertJson;
import io.leakwatch.decision.Alert;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's demo, end to end over gRPC and TLS, as a user runs it. */
class DemoCommandTest {
  private static final List<String> PATIENT_LITERALS =
      List.of("Okafor", "Lindqvist", "Haddad", "Moreau", "Tanaka", "SELECT", "OFFSET");

  @TempDir Path dir;

  private record Run(int exit, String output, List<String> alertIds) {}

  private Run demo(Path out, String seconds) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    int exit =
        Leakwatch.execute(
            List.of("demo", "--seconds", seconds, "--out", out.toString(), "--users", "300"),
            stream,
            stream);
    List<String> ids =
        Files.readAllLines(out.resolve("alerts.jsonl")).stream()
            .map(
                line -> {
                  try {
                    return AlertJson.fromJson(line).id();
                  } catch (Exception e) {
                    throw new AssertionError(e);
                  }
                })
            .sorted()
            .toList();
    return new Run(exit, bytes.toString(StandardCharsets.UTF_8), ids);
  }

  @Test
  void detectsEveryScenarioWithNoOtherAlertAndTheSameAlertsAtAnySpeed() throws Exception {
    Run fast = demo(dir.resolve("fast"), "0");
    assertEquals(0, fast.exit(), fast.output());
    assertTrue(fast.output().contains("false positives): 0"), fast.output());
    assertFalse(fast.output().contains("MISSED"), fast.output());

    JsonNode summary = new ObjectMapper().readTree(dir.resolve("fast/summary.json").toFile());
    assertEquals(summary.get("eventsPublished").asLong(), summary.get("eventsProcessed").asLong());
    summary.get("scenarios").forEach(s -> assertTrue(s.get("detected").asBoolean(), s.toString()));
    // The demo writes a drill's evidence too, and it verifies.
    java.nio.file.Path report = dir.resolve("fast/report");
    assertTrue(java.nio.file.Files.exists(report.resolve("report.html")), "the drill report");
    assertEquals(
        java.util.List.of(), io.leakwatch.drill.EvidenceManifest.verify(report, null).problems());
    assertTrue(
        fast.alertIds().size() >= io.leakwatch.sim.scenario.Scenarios.all().size(), fast.output());

    Run paced = demo(dir.resolve("paced"), "3");
    assertEquals(0, paced.exit(), paced.output());
    assertEquals(
        fast.alertIds(), paced.alertIds(), "event time makes results independent of replay speed");
  }

  @Test
  void alertsAndOutputCarryNoPatientValues() throws Exception {
    Run run = demo(dir.resolve("phi"), "0");
    String alerts = Files.readString(dir.resolve("phi/alerts.jsonl"));
    String summary = Files.readString(dir.resolve("phi/summary.json"));
    for (String literal : PATIENT_LITERALS) {
      assertFalse(alerts.contains(literal), "alerts leak " + literal);
      assertFalse(summary.contains(literal), "summary leaks " + literal);
      assertFalse(run.output().contains(literal), "console leaks " + literal);
    }
    for (String line : Files.readAllLines(dir.resolve("phi/alerts.jsonl"))) {
      Alert alert = AlertJson.fromJson(line);
      assertFalse(alert.evidence().isEmpty());
      assertFalse(alert.controls().isEmpty());
    }
  }

  @Test
  void badUsageExitsWithTwoAndSaysWhy() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    assertEquals(2, Leakwatch.execute(List.of("demo", "--users", "many"), stream, stream));
    assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("--users must be a whole number"));
    assertEquals(
        2,
        Leakwatch.execute(
            List.of("demo", "--rules", dir.resolve("nowhere").toString()), stream, stream));
    assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("rules folder does not exist"));
  }
}
