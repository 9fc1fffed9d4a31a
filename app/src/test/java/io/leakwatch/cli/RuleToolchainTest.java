package io.leakwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.alert.AlertJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** rules validate, rules test and replay, as the README shows them. */
class RuleToolchainTest {
  private static final Path PACK = Path.of("../rules/pack");

  @TempDir Path dir;

  private Path copyPack() throws IOException {
    return io.leakwatch.rulepack.TestPacks.copyDefaultPack(dir.resolve("pack"));
  }

  @Test
  void validateAcceptsTheDefaultPackAndNamesFileAndLineOfAnError() throws IOException {
    CliRun ok = CliRun.of("rules", "validate", PACK.toString());
    assertEquals(0, ok.exit(), ok.err());
    assertTrue(ok.out().matches("(?s).*valid: \\d+ rules, \\d+ test cases.*"), ok.out());

    Path pack = copyPack();
    Path drl = pack.resolve("bulk-phi-read/decide.drl");
    Files.writeString(drl, Files.readString(drl).replace("then", "thne"));
    CliRun broken = CliRun.of("rules", "validate", pack.toString());
    assertEquals(1, broken.exit());
    assertTrue(broken.err().contains(drl + ":"), broken.err());
  }

  @Test
  void testRunsEveryCaseWritesJUnitXmlAndFailsOnAWrongExpectation() throws IOException {
    Path junit = dir.resolve("rule-tests.xml");
    CliRun ok = CliRun.of("rules", "test", PACK.toString(), "--junit", junit.toString());
    assertEquals(0, ok.exit(), ok.out());
    assertTrue(ok.out().matches("(?s).*\\d+ passed, 0 failed.*"), ok.out());
    assertTrue(Files.readString(junit).contains("failures=\"0\""));

    Path pack = copyPack();
    Path cases = pack.resolve("after-hours-phi-access/tests/hours.json");
    Files.writeString(
        cases,
        Files.readString(cases)
            .replaceFirst("\"severity\": \"medium\"", "\"severity\": \"critical\""));
    CliRun failing = CliRun.of("rules", "test", pack.toString(), "--junit", junit.toString());
    assertEquals(1, failing.exit());
    assertTrue(
        failing
            .out()
            .contains("FAIL  after-hours-phi-access / a person reading patient records at 23:00"),
        failing.out());
    assertTrue(failing.out().contains("expected but not raised: [LW-003 critical"), failing.out());
    assertTrue(Files.readString(junit).contains("failures=\"1\""));
  }

  @Test
  void replayRunsExportedEventsThroughTheRulesAndReportsBadLines() throws IOException {
    Path events = dir.resolve("day.jsonl");
    CliRun export =
        CliRun.of(
            "simulate",
            "--export",
            events.toString(),
            "--out",
            dir.resolve("sim").toString(),
            "--users",
            "200");
    assertEquals(0, export.exit(), export.err());
    Path alerts = dir.resolve("alerts.jsonl");
    CliRun replay =
        CliRun.of(
            "replay",
            events.toString(),
            "--profile",
            dir.resolve("sim/org-profile.yaml").toString(),
            "--out",
            alerts.toString());
    assertEquals(0, replay.exit(), replay.err());
    List<String> rules = new ArrayList<>();
    for (String line : Files.readAllLines(alerts)) {
      rules.add(AlertJson.fromJson(line).ruleId());
    }
    assertTrue(
        rules.containsAll(
            List.of(
                "LW-001", "LW-002", "LW-003", "LW-004", "LW-005", "LW-006", "LW-007", "LW-008")),
        rules.toString());
    assertFalse(Files.readString(alerts).contains("SELECT"));

    List<String> lines = new ArrayList<>(Files.readAllLines(events));
    lines.add(3, "{not json");
    lines.add(5, "{\"EventDate\": 1}");
    Files.write(events, lines);
    CliRun bad =
        CliRun.of(
            "replay",
            events.toString(),
            "--profile",
            dir.resolve("sim/org-profile.yaml").toString(),
            "--out",
            alerts.toString());
    assertEquals(1, bad.exit());
    assertTrue(bad.err().contains("day.jsonl:4: not valid JSON"), bad.err());
    assertTrue(bad.err().contains("day.jsonl:6: an event needs \"channel\""), bad.err());
    assertTrue(bad.err().contains("2 lines rejected"), bad.err());
  }
}
