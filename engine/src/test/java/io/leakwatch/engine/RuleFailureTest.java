package io.leakwatch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.cep.BadEventException;
import io.leakwatch.decision.Alert;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.pubsub.ReceivedEvent;
import io.leakwatch.rulepack.RuleDefinition;
import io.leakwatch.rulepack.RuleMetadata;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.rulepack.Severity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A rule that throws on an event loses its own finding, never another rule's alert, and never
 * silently: the event is a dead letter naming the rule (no field value), the failure is counted per
 * rule, and an alert whose decision failed part-way is raised in full by the next finding.
 */
class RuleFailureTest {
  private static final long T0 = java.time.Instant.parse("2026-03-10T14:00:00Z").toEpochMilli();
  private static final Schema API_EVENT =
      SchemaBuilder.record("ApiEvent")
          .namespace("com.sforce.eventbus")
          .fields()
          .optionalLong("EventDate")
          .optionalString("EventIdentifier")
          .optionalString("UserId")
          .optionalString("Operation")
          .endRecord();
  // The value a throwing rule would quote in its exception's message.
  private static final String PATIENT = "Jane Roe";

  private static CompiledPack pack;
  private final List<String> deadLetters = new ArrayList<>();
  private DetectionPipeline pipeline;

  @BeforeAll
  static void compile() {
    RulePack base = RulePackLoader.fromDirectory(Path.of("../rules/pack"));
    // A throwing correlation step, for one principal only: the decision fails after the rule
    // decided and the alert's revision was counted.
    RuleDefinition.Source throwingCorrelation =
        new RuleDefinition.Source(
            "throwing-correlation.drl",
            """
            package leakwatch.test.correlation;
            import io.leakwatch.decision.Finding;
            rule "correlation throws for 005THROW"
            when
              $f : Finding(ruleId == "LW-T04", principal == "005THROW")
            then
              throw new IllegalStateException("correlation failed");
            end
            """);
    List<RuleDefinition.Source> decisions = new ArrayList<>(base.decisions());
    decisions.add(throwingCorrelation);
    pack =
        CompiledPack.compile(
            new RulePack(
                "rule-failure-test",
                "rule-failure-test",
                base.version(),
                "",
                base.shared(),
                decisions,
                List.of(
                    rule("LW-T01", "from ApiEvent", ""),
                    // Throws in Esper from the second event on: a table without a key holds
                    // one row.
                    rule(
                        "LW-T02",
                        "from ApiEvent;\n"
                            + "create table OneRow (principal string);\n"
                            + "insert into OneRow select UserId as principal from ApiEvent",
                        ""),
                    // Throws in its decision: "severe" is no severity.
                    rule(
                        "LW-T03",
                        "from ApiEvent",
                        """
                        rule "LW-T03 raises an unknown severity"
                        when
                          $d : Detection(ruleId == "LW-T03")
                        then
                          decisions.raise(drools.getRule().getName(), "severe", "no such severity");
                        end
                        """),
                    // One alert per key, whoever the principal.
                    rule("LW-T04", "from ApiEvent", "", "'one' as alertKey,"),
                    // Throws on a step of event time: its hourly timer's second row.
                    rule(
                        "LW-T05",
                        "from ApiEvent(UserId = 'nobody');\n"
                            + "create table HourRow (mark string);\n"
                            + "insert into HourRow select 'h' as mark"
                            + " from pattern [every timer:interval(1 hour)]",
                        ""))));
  }

  private static RuleDefinition rule(String id, String from, String drl) {
    return rule(id, from, drl, "");
  }

  private static RuleDefinition rule(String id, String from, String drl, String columns) {
    String pkg = "leakwatch.test." + id.toLowerCase().replace("-", "");
    return new RuleDefinition(
        new RuleMetadata(id, id, Severity.MEDIUM, "test rule", List.of(), Map.of()),
        id,
        new RuleDefinition.Source(
            id + "/detect.epl",
            "@Name('detection') select UserId as principal, 1L as count, '' as objects, "
                + columns
                + " EventDate as firstTime, EventDate as lastTime, EventIdentifier as evidence "
                + from),
        new RuleDefinition.Source(
            id + "/decide.drl",
            "package "
                + pkg
                + ";\nimport io.leakwatch.decision.Detection;\n"
                + "global io.leakwatch.decision.Decisions decisions;\n"
                + drl));
  }

  @BeforeEach
  void open() {
    DeadLetters recording = (event, reason) -> deadLetters.add(event.eventId() + ": " + reason);
    pipeline =
        new DetectionPipeline(
            pack,
            OrgProfileLoader.load(Path.of("../rules/pack/test-profile.yaml")),
            new DetectionPipeline.Options(0, false, recording));
  }

  @AfterEach
  void close() {
    pipeline.close();
  }

  private static ReceivedEvent event(String id, String user, long at) {
    GenericRecord record = new GenericData.Record(API_EVENT);
    record.put("EventDate", at);
    record.put("EventIdentifier", id);
    record.put("UserId", user);
    record.put("Operation", PATIENT);
    return new ReceivedEvent(
        "/event/ApiEventStream", null, id, "api-1", record, null, System.nanoTime());
  }

  private static List<String> rules(List<Alert> alerts) {
    return alerts.stream().map(Alert::ruleId).sorted().toList();
  }

  @Test
  void theOtherRulesAlertsGoOutAndTheEventIsADeadLetterNamingTheRulesThatThrew() {
    List<Alert> alerts = pipeline.process(event("e1", "005OK", T0), 0);

    assertEquals(List.of("LW-T01", "LW-T02", "LW-T04"), rules(alerts));
    assertEquals(1, deadLetters.size(), deadLetters.toString());
    String reason = deadLetters.get(0);
    assertTrue(reason.startsWith("e1: rule evaluation failed: "), reason);
    assertTrue(reason.contains("LW-T03 (IllegalArgumentException in decide.drl)"), reason);
    assertFalse(reason.contains("Jane"), "a dead letter never quotes a field's value: " + reason);
    assertEquals(Map.of("LW-T03", 1L), pipeline.stats().ruleFailuresByRule());
    assertEquals(1, pipeline.stats().totalDeadLettered());
    assertEquals(0, pipeline.stats().totalProcessed());

    // The second event: LW-T02's table refuses a second row inside Esper, which would only log it.
    // Nothing was left behind in the decisions either: the same rules decide the same way.
    alerts = pipeline.process(event("e2", "005OK", T0 + 1_000), 0);
    assertEquals(List.of("LW-T01", "LW-T02"), rules(alerts));
    reason = deadLetters.get(1);
    assertTrue(reason.contains("LW-T02 (EPException in statement"), reason);
    assertTrue(reason.contains("LW-T03 (IllegalArgumentException in decide.drl)"), reason);
    assertEquals(Map.of("LW-T02", 1L, "LW-T03", 2L), pipeline.stats().ruleFailuresByRule());
    assertEquals(2, pipeline.stats().totalDeadLettered());
  }

  @Test
  void anAlertWhoseDecisionFailedPartWayIsRaisedByTheNextFinding() {
    List<Alert> first = pipeline.process(event("e1", "005THROW", T0), 0);
    assertEquals(List.of("LW-T01", "LW-T02"), rules(first), "LW-T04's correlation threw");
    assertTrue(
        deadLetters.get(0).contains("LW-T04 (IllegalStateException in decide.drl)"),
        deadLetters.toString());

    // Same key, so the same alert: had the failed decision counted it raised, this one would be a
    // repeat of an alert nobody received.
    List<Alert> second = pipeline.process(event("e2", "005OK", T0 + 1_000), 0);
    Alert t04 = second.stream().filter(a -> a.ruleId().equals("LW-T04")).findFirst().orElseThrow();
    assertEquals(1, t04.revision());
  }

  @Test
  void aRuleThatThrowsAsEventTimeMovesIsCountedButTheEventIsNotBlamed() {
    pipeline.process(event("e1", "005OK", T0), 0);
    pipeline.process(event("e2", "005OK", T0 + 3_601_000), 0);
    // The timer's second row is refused as time passes the next hour, before this event is sent.
    List<Alert> alerts = pipeline.process(event("e3", "005OK", T0 + 7_202_000), 0);
    assertTrue(rules(alerts).contains("LW-T01"), alerts.toString());
    assertTrue(pipeline.stats().ruleFailuresByRule().getOrDefault("LW-T05", 0L) >= 1);
    assertTrue(
        deadLetters.stream().noneMatch(d -> d.contains("LW-T05")),
        "no event made LW-T05 throw: " + deadLetters);
  }

  @Test
  void aReplayedLineARuleThrowsOnIsRefusedWithTheOtherRulesAlerts() {
    BadEventException refused =
        assertThrows(
            BadEventException.class,
            () ->
                pipeline.process(
                    "/event/ApiEventStream",
                    Map.of(
                        "EventDate",
                        T0,
                        "EventIdentifier",
                        "e1",
                        "UserId",
                        "005OK",
                        "Operation",
                        PATIENT),
                    0));
    assertTrue(refused.getMessage().contains("LW-T03"), refused.getMessage());
    assertFalse(refused.getMessage().contains("Jane"), refused.getMessage());
    assertEquals(List.of("LW-T01", "LW-T02", "LW-T04"), rules(refused.decided()));
  }
}
