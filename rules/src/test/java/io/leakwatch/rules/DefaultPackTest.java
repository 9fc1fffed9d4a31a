package io.leakwatch.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.decision.Alert;
import io.leakwatch.engine.CompiledPack;
import io.leakwatch.engine.DetectionPipeline;
import io.leakwatch.profile.OrgProfile;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackException;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.rulepack.TestPacks;
import io.leakwatch.ruletest.RuleTestCase;
import io.leakwatch.ruletest.RuleTests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default pack as a whole. Each rule's behaviour is specified by the JSON cases in its {@code
 * tests/} folder, run here as they are by {@code leakwatch rules test}.
 */
class DefaultPackTest {
  private static final Path PACK = Path.of("pack");

  private static OrgProfile profile() {
    return OrgProfileLoader.load(PACK.resolve("test-profile.yaml"));
  }

  @Test
  void everyRuleTestCaseBesideTheRulesPasses() throws IOException {
    List<RuleTestCase> cases = RuleTests.load(PACK);
    assertTrue(cases.size() >= 11, "cases: " + cases.size());
    List<RuleTests.Result> results =
        RuleTests.run(CompiledPack.compile(RulePackLoader.fromDirectory(PACK)), profile(), cases);
    assertEquals(
        List.of(),
        results.stream()
            .filter(r -> !r.passed())
            .map(r -> r.testCase().ruleFolder() + " / " + r.testCase().name() + ": " + r.problem())
            .toList());
  }

  /**
   * The conformance folder: cases written from Salesforce's documentation, each naming its page,
   * benign look-alikes among them.
   */
  @Test
  void conformanceCasesNameTheirDocPageAndIncludeBenignLookAlikes() throws IOException {
    List<RuleTestCase> conformance =
        RuleTests.load(PACK).stream().filter(c -> c.ruleFolder().equals("conformance")).toList();
    assertTrue(conformance.size() >= 25, "conformance cases: " + conformance.size());
    assertEquals(
        List.of(),
        conformance.stream()
            .filter(c -> !c.doc().contains("Developer Guide") && !c.doc().contains("Reference"))
            .map(RuleTestCase::name)
            .toList(),
        "cases that name no documentation page");
    assertTrue(
        conformance.stream().filter(c -> c.expect().isEmpty()).count() >= 8,
        "benign look-alikes that must stay silent");
  }

  @Test
  void everyRuleHasTestsAndComplianceMetadata() {
    RulePack pack = RulePackLoader.fromDirectory(PACK);
    assertEquals(64, pack.sha256().length());
    pack.rules()
        .forEach(
            rule -> {
              assertTrue(
                  Files.isDirectory(PACK.resolve(rule.folder()).resolve("tests")),
                  rule.id() + " has no tests");
              assertFalse(
                  rule.metadata().attack().isEmpty(), rule.id() + " names no ATT&CK technique");
              assertTrue(
                  rule.metadata()
                      .controls()
                      .keySet()
                      .containsAll(List.of("soc2", "iso27001", "hipaa")),
                  rule.id() + " controls");
            });
  }

  @Test
  void alertsNeverRepeatTheQueryText() {
    try (DetectionPipeline pipeline =
        new DetectionPipeline(
            RulePackLoader.fromDirectory(PACK), profile(), DetectionPipeline.Options.defaults())) {
      Map<String, Object> event =
          new HashMap<>(
              Map.of(
                  "EventDate",
                  "2026-03-10T03:00:00Z",
                  "EventIdentifier",
                  "e1",
                  "UserId",
                  "005000000000001AAA",
                  "SourceIp",
                  "198.51.100.5",
                  "QueriedEntities",
                  "Contact",
                  "RowsProcessed",
                  500L,
                  "Query",
                  "SELECT Id FROM Contact WHERE LastName = 'Okafor'"));
      List<Alert> alerts = pipeline.process("/event/ApiEventStream", event, 0);
      assertEquals(2, alerts.size(), "bulk read and after hours");
      assertTrue(
          alerts.stream()
              .noneMatch(a -> a.toString().contains("Okafor") || a.toString().contains("SELECT")));
    }
  }

  @Test
  void aRuleIdLongerThanTheAlertHistoryHoldsIsRejectedWhenThePackLoads(@TempDir Path dir)
      throws IOException {
    TestPacks.copyDefaultPack(dir);
    Path rule = dir.resolve("bulk-phi-read/rule.yaml");
    String longId = "LW-001-" + "x".repeat(RulePackLoader.MAX_ID_LENGTH);
    Files.writeString(rule, Files.readString(rule).replace("id: LW-001", "id: " + longId));
    RulePackException e =
        assertThrows(RulePackException.class, () -> RulePackLoader.fromDirectory(dir));
    assertTrue(e.getMessage().contains(rule.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("at most " + RulePackLoader.MAX_ID_LENGTH), e.getMessage());
  }

  @Test
  void brokenEplIsRejectedWithFileAndLine(@TempDir Path dir) throws IOException {
    TestPacks.copyDefaultPack(dir);
    Files.writeString(
        dir.resolve("bulk-phi-read/detect.epl"),
        "@Name('detection')\nselect UserId as principal\nfrom NoSuchEvent");
    RulePackException e =
        assertThrows(
            RulePackException.class, () -> CompiledPack.compile(RulePackLoader.fromDirectory(dir)));
    // Esper reports semantic errors at the line where the statement starts.
    assertTrue(
        e.getMessage().contains(dir.resolve("bulk-phi-read/detect.epl") + ":1: "), e.getMessage());
    assertTrue(e.getMessage().contains("NoSuchEvent"), e.getMessage());
  }

  @Test
  void brokenDrlIsRejectedWithFileAndLine(@TempDir Path dir) throws IOException {
    TestPacks.copyDefaultPack(dir);
    Path drl = dir.resolve("after-hours-phi-access/decide.drl");
    Files.writeString(drl, Files.readString(drl).replace("count < 50", "count <<< 50"));
    RulePackException e =
        assertThrows(
            RulePackException.class, () -> CompiledPack.compile(RulePackLoader.fromDirectory(dir)));
    assertTrue(e.getMessage().contains(drl + ":9: "), e.getMessage());
  }

  @Test
  void errorsInSeveralFilesAreReportedTogether(@TempDir Path dir) throws IOException {
    TestPacks.copyDefaultPack(dir);
    Files.writeString(dir.resolve("bulk-phi-read/detect.epl"), "select from");
    Path drl = dir.resolve("after-hours-phi-access/decide.drl");
    Files.writeString(drl, Files.readString(drl).replace("count < 50", "count <<< 50"));
    RulePackException e =
        assertThrows(
            RulePackException.class, () -> CompiledPack.compile(RulePackLoader.fromDirectory(dir)));
    assertTrue(
        e.getMessage().contains("bulk-phi-read/detect.epl")
            && e.getMessage().contains("after-hours-phi-access/decide.drl"),
        e.getMessage());
  }
}
