package io.leakwatch.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.decision.Alert;
import io.leakwatch.decision.Severity;
import io.leakwatch.engine.DetectionPipeline;
import io.leakwatch.profile.OrgProfile;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackException;
import io.leakwatch.rulepack.RulePackLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default pack's rules, one behaviour at a time, on hand-made events in event time. */
class DefaultPackTest {
  private static final String API = "/event/ApiEventStream";
  private static final String LOGIN = "/event/LoginEventStream";
  private static final String PERSON = "005000000000001AAA";
  private static final String ETL = "0055f000003EtLjAAA";
  private static final String TELEHEALTH = "0055f000003TeLeAAA";
  private static final long MONDAY_10AM = ZonedDateTime.of(2026, 3, 9, 10, 0, 0, 0, ZoneId.of("America/New_York")).toInstant().toEpochMilli();
  private static final long MINUTE = 60_000;

  private DetectionPipeline pipeline;
  private final List<Alert> alerts = new ArrayList<>();
  private int ids;

  @BeforeEach
  void pipeline() {
    OrgProfile profile = OrgProfileLoader.load(Path.of("../examples/org-profile.yaml"));
    pipeline = new DetectionPipeline(RulePackLoader.fromDirectory(Path.of("pack")), profile, DetectionPipeline.Options.defaults());
  }

  @AfterEach
  void close() {
    pipeline.close();
  }

  private void api(long time, String user, String ip, String objects, long rows) {
    Map<String, Object> event = new HashMap<>();
    event.put("EventDate", time);
    event.put("EventIdentifier", "ev-" + ++ids);
    event.put("UserId", user);
    event.put("SourceIp", ip);
    event.put("QueriedEntities", objects);
    event.put("RowsProcessed", rows);
    event.put("Query", "SELECT Id FROM Contact WHERE LastName = 'Okafor'");
    alerts.addAll(pipeline.process(API, event, 0));
  }

  private void finish() {
    alerts.addAll(pipeline.advanceTo(pipeline.eventTime() + 3_600_000));
  }

  @Test
  void bulkReadFiresAboveTheThresholdWithinFiveMinutesOnly() {
    api(MONDAY_10AM, PERSON, "198.51.100.5", "Contact", 60);
    api(MONDAY_10AM + 4 * MINUTE, PERSON, "198.51.100.5", "Contact", 40);
    finish();
    assertEquals(List.of(), alerts, "exactly 100 rows is allowed");

    // finish() moved event time an hour on: later blocks start after it.
    api(MONDAY_10AM + 120 * MINUTE, PERSON, "198.51.100.5", "Contact", 60);
    api(MONDAY_10AM + 125 * MINUTE + 1, PERSON, "198.51.100.5", "Contact", 60);
    finish();
    assertEquals(List.of(), alerts, "120 rows spread over more than five minutes");

    api(MONDAY_10AM + 240 * MINUTE, PERSON, "198.51.100.5", "Contact,Account", 60);
    api(MONDAY_10AM + 241 * MINUTE, PERSON, "198.51.100.5", "Account", 500);
    api(MONDAY_10AM + 242 * MINUTE, PERSON, "198.51.100.5", "Contact", 41);
    finish();
    assertEquals(1, alerts.size(), alerts.toString());
    Alert alert = alerts.get(0);
    assertEquals("LW-001", alert.ruleId());
    assertEquals(Severity.HIGH, alert.severity());
    assertEquals(101, alert.count(), "non-PHI reads do not count");
    assertEquals(List.of("ev-5", "ev-7"), alert.evidence());
    assertTrue(alert.controls().get("hipaa").contains("164.312(b)"));
  }

  @Test
  void bulkReadSeverityFollowsVolumeAndIdentity() {
    api(MONDAY_10AM, PERSON, "198.51.100.5", "Contact", 1_000);
    api(MONDAY_10AM, ETL, "203.0.113.40", "Patient_Record__c", 40_000);
    api(MONDAY_10AM + MINUTE, ETL, "203.0.113.40", "Patient_Record__c", 20_000);
    finish();
    assertEquals(List.of("LW-001 critical", "LW-001 medium", "LW-003 high"),
        alerts.stream().map(a -> a.ruleId() + " " + a.severity().label()).sorted().toList(),
        "person far over 100 is critical; ETL over its declared 50,000 is medium, and it ran outside its window");
  }

  @Test
  void integrationFromAnUntrustedNetworkIsCriticalWhenItReadsPhi() {
    api(MONDAY_10AM, TELEHEALTH, "203.0.113.10", "Contact", 5);
    api(MONDAY_10AM, PERSON, "185.220.101.34", "Contact", 5);
    finish();
    assertEquals(List.of(), alerts, "trusted integration traffic and people are not this rule's business");
    api(MONDAY_10AM + MINUTE, TELEHEALTH, "185.220.101.34", "Contact", 5);
    api(MONDAY_10AM + 2 * MINUTE, TELEHEALTH, "185.220.101.34", "Contact", 5);
    finish();
    assertEquals(1, alerts.size(), "one alert per user and address per hour");
    assertEquals("LW-002", alerts.get(0).ruleId());
    assertEquals(Severity.CRITICAL, alerts.get(0).severity());
    assertEquals("telehealth", alerts.get(0).integration());
  }

  @Test
  void integrationLoginFromAnUntrustedNetworkAlertsToo() {
    Map<String, Object> login = new HashMap<>(Map.of("EventDate", MONDAY_10AM, "EventIdentifier", "login-1", "UserId", TELEHEALTH,
        "SourceIp", "185.220.101.34", "Status", "Success"));
    alerts.addAll(pipeline.process(LOGIN, login, 0));
    assertEquals(1, alerts.size());
    assertEquals(Severity.HIGH, alerts.get(0).severity());
  }

  @Test
  void afterHoursReadsByPeopleAlertButNotInsideHours() {
    api(MONDAY_10AM, PERSON, "198.51.100.5", "Patient_Record__c", 3);
    api(MONDAY_10AM + 9 * 60 * MINUTE, PERSON, "198.51.100.5", "Account", 3);
    finish();
    assertEquals(List.of(), alerts);
    api(MONDAY_10AM + 13 * 60 * MINUTE, PERSON, "198.51.100.5", "Patient_Record__c", 3);
    api(MONDAY_10AM + 13 * 60 * MINUTE + 5 * MINUTE, PERSON, "198.51.100.5", "Patient_Record__c", 3);
    finish();
    assertEquals(1, alerts.size());
    assertEquals("LW-003", alerts.get(0).ruleId());
    assertEquals(Severity.MEDIUM, alerts.get(0).severity());
  }

  @Test
  void alertsNeverRepeatTheQueryText() {
    api(MONDAY_10AM + 13 * 60 * MINUTE, PERSON, "198.51.100.5", "Contact", 500);
    finish();
    assertTrue(!alerts.isEmpty());
    assertTrue(alerts.stream().noneMatch(a -> a.toString().contains("Okafor")));
  }

  @Test
  void brokenEplIsRejectedWithFileAndLine(@TempDir Path dir) throws IOException {
    copyPack(dir);
    Files.writeString(dir.resolve("bulk-phi-read/detect.epl"), "@Name('detection')\nselect UserId as principal\nfrom NoSuchEvent");
    RulePackException e = assertThrows(RulePackException.class, () -> pipeline(dir));
    // Esper reports semantic errors at the line where the statement starts.
    assertTrue(e.getMessage().contains(dir.resolve("bulk-phi-read/detect.epl") + ":1: "), e.getMessage());
    assertTrue(e.getMessage().contains("NoSuchEvent"), e.getMessage());
  }

  @Test
  void brokenDrlIsRejectedWithFileAndLine(@TempDir Path dir) throws IOException {
    copyPack(dir);
    Path drl = dir.resolve("after-hours-phi-access/decide.drl");
    Files.writeString(drl, Files.readString(drl).replace("count < 50", "count <<< 50"));
    RulePackException e = assertThrows(RulePackException.class, () -> pipeline(dir));
    assertTrue(e.getMessage().contains(drl + ":9: "), e.getMessage());
  }

  private static void pipeline(Path dir) {
    OrgProfile profile = OrgProfileLoader.load(Path.of("../examples/org-profile.yaml"));
    new DetectionPipeline(RulePackLoader.fromDirectory(dir), profile, DetectionPipeline.Options.defaults()).close();
  }

  private static void copyPack(Path target) throws IOException {
    Path source = Path.of("pack");
    try (Stream<Path> files = Files.walk(source)) {
      for (Path file : files.toList()) {
        Path to = target.resolve(source.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(to);
        } else {
          Files.copy(file, to);
        }
      }
    }
  }

  @Test
  void theDefaultPackIsTheOneInTheBuild() {
    RulePack pack = RulePackLoader.fromDirectory(Path.of("pack"));
    assertEquals(3, pack.rules().size());
    assertEquals(64, pack.sha256().length());
  }
}
