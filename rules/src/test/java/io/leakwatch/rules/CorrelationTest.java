package io.leakwatch.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.decision.Alert;
import io.leakwatch.decision.Detection;
import io.leakwatch.decision.DroolsDecider;
import io.leakwatch.profile.OrgProfile;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.rulepack.Severity;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kie.api.KieBase;

/**
 * The pack's correlation policy, {@code pack/correlation.drl}, through the decider that runs it.
 */
class CorrelationTest {
  private static final long MINUTE = 60_000;
  private static final long T0 = 1_780_000_000_000L;
  private static RulePack pack;
  private static KieBase base;
  private final List<DroolsDecider> deciders = new java.util.ArrayList<>();

  @BeforeAll
  static void compile() {
    pack = RulePackLoader.fromDirectory(Path.of("pack"));
    base = DroolsDecider.compile(pack);
  }

  @AfterEach
  void close() {
    deciders.forEach(DroolsDecider::close);
  }

  private DroolsDecider decider(OrgProfile.Suppression... suppressions) {
    DroolsDecider decider = new DroolsDecider(pack, base, false, List.of(suppressions));
    deciders.add(decider);
    return decider;
  }

  /**
   * A finding of {@code rule} about {@code principal} at T0 + minutes; each call is a distinct
   * finding.
   */
  private static Detection detection(String rule, String principal, long minutes) {
    long at = T0 + minutes * MINUTE;
    return new Detection(
        rule,
        principal,
        null,
        1,
        "Contact",
        at,
        at,
        at,
        List.of(rule + "-" + principal + "-" + minutes),
        Map.of());
  }

  @Test
  void aRepeatOfTheSameRuleOnTheSamePrincipalUpdatesTheEarlierAlert() {
    DroolsDecider decider = decider();
    Alert first = decider.decide(detection("LW-003", "005A", 0), 0);
    Alert repeat = decider.decide(detection("LW-003", "005A", 20), 0);
    assertEquals(first.id(), repeat.id());
    assertEquals(2, repeat.revision());
    assertEquals(first.firstEventTime(), repeat.firstEventTime());
    assertEquals(T0 + 20 * MINUTE, repeat.lastEventTime());
    Alert third = decider.decide(detection("LW-003", "005A", 45), 0);
    assertEquals(first.id(), third.id(), "within 30 minutes of the last repeat");
    assertEquals(3, third.revision());
    Alert later = decider.decide(detection("LW-003", "005A", 80), 0);
    assertNotEquals(first.id(), later.id(), "35 quiet minutes: a new alert");
    assertEquals(1, later.revision());
  }

  /** An LW-012 finding about {@code key}; {@code followed} makes it the critical escalation. */
  private static Detection threat(String key, long minutes, boolean followed) {
    long at = T0 + minutes * MINUTE;
    return new Detection(
        "LW-012",
        "005T",
        null,
        1,
        "",
        at,
        at,
        at,
        List.of("t-" + key + "-" + minutes),
        Map.of("alertKey", key, "score", 50L, "phiReadNearby", followed, "kind", "api anomaly"));
  }

  @Test
  void anEscalationAfterARepeatIsTheNextRevisionOfTheOpenAlert() {
    DroolsDecider decider = decider();
    Alert first = decider.decide(threat("s1", 0, false), 0);
    Alert repeat = decider.decide(threat("s2", 5, false), 0);
    assertEquals(
        first.id(), repeat.id(), "a second signal on the same principal updates the first alert");
    assertEquals(2, repeat.revision());
    Alert escalated = decider.decide(threat("s1", 10, true), 0);
    assertEquals(first.id(), escalated.id());
    assertEquals(
        3, escalated.revision(), "after revision 2, not a second revision 2 the ledger would drop");
    assertEquals(Severity.CRITICAL, escalated.severity());
    Alert escalatedFolded = decider.decide(threat("s2", 12, true), 0);
    if (escalatedFolded != null) {
      assertEquals(
          first.id(),
          escalatedFolded.id(),
          "the folded finding's escalation continues the alert it joined");
      assertEquals(4, escalatedFolded.revision());
    }
  }

  @Test
  void anotherRuleOnTheSamePrincipalJoinsTheIncidentAtTheHigherSeverity() {
    DroolsDecider decider = decider();
    Alert first = decider.decide(detection("LW-003", "005A", 0), 0);
    Alert second = decider.decide(detection("LW-007", "005A", 10), 0);
    assertNull(first.incident());
    assertEquals(first.id(), second.incident());
    assertEquals(
        Severity.values()[
            Math.max(
                first.severity().ordinal(),
                pack.rule("LW-007").orElseThrow().metadata().severity().ordinal())],
        second.severity());
    assertNull(decider.decide(detection("LW-007", "005B", 10), 0).incident(), "another principal");
    assertNull(
        decider.decide(detection("LW-009", "005A", 75), 0).incident(),
        "the incident closed after 30 quiet minutes");
  }

  /** A finding detected at T0 + {@code detectedMinutes} whose events span the given minutes. */
  private static Detection spanning(
      String rule,
      String principal,
      long fromMinutes,
      long toMinutes,
      long detectedMinutes,
      Map<String, Object> attributes) {
    return new Detection(
        rule,
        principal,
        null,
        1,
        "Contact",
        T0 + fromMinutes * MINUTE,
        T0 + toMinutes * MINUTE,
        T0 + detectedMinutes * MINUTE,
        List.of(rule + "-" + principal + "-" + detectedMinutes),
        attributes);
  }

  @Test
  void aDayLongDetectionJoinsTheShorterAlertsInsideItsDay() {
    DroolsDecider decider = decider();
    Alert afterHours = decider.decide(detection("LW-003", "005A", 60), 0);
    Alert slowLeak =
        decider.decide(spanning("LW-014", "005A", 0, 20 * 60, 20 * 60 + 1, Map.of()), 0);
    assertEquals(
        afterHours.id(),
        slowLeak.incident(),
        "detected 19 hours later, but its day of reads overlaps the after-hours read");
    Alert nextDay = decider.decide(detection("LW-003", "005A", 48 * 60), 0);
    assertNull(nextDay.incident(), "a day later the incident is forgotten");
  }

  @Test
  void alertsOnDifferentPrincipalsThatShareASubjectJoinOneIncident() {
    DroolsDecider decider = decider();
    Alert grant =
        decider.decide(
            spanning("LW-004", "005ADMIN0000001", 0, 0, 0, Map.of("subjects", "005INTEG0000001")),
            0);
    assertEquals(List.of("005INTEG0000001"), grant.subjects().users());
    Alert read = decider.decide(detection("LW-001", "005INTEG0000001", 20), 0);
    assertEquals(grant.id(), read.incident(), "the grant's subject is the reader");
    assertTrue(
        read.reasons().stream().anyMatch(r -> r.contains("user:005INTEG0000001")),
        String.join("; ", read.reasons()));
    Alert copied =
        decider.decide(
            spanning("LW-002", "005OTHER0000001", 25, 25, 25, Map.of("sessions", "sessKey0000042")),
            0);
    assertNull(copied.incident(), "shares nothing with the open incident");
    Alert sameSession =
        decider.decide(
            spanning(
                "LW-012",
                "005THIRD0000001",
                30,
                30,
                30,
                Map.of("sessions", new Object[] {"sessKey0000042", null})),
            0);
    assertEquals(copied.id(), sameSession.incident(), "one session seen by two rules");
    Alert late =
        decider.decide(
            spanning("LW-007", "005OTHER0000001", 90, 90, 90, Map.of("sessions", "sessKey0000042")),
            0);
    assertNull(late.incident(), "more than 30 minutes after the incident's last event");
  }

  @Test
  void subjectsKeepOnlyIdShapedValues() {
    DroolsDecider decider = decider();
    Alert alert =
        decider.decide(
            spanning(
                "LW-004",
                "005ADMIN0000001",
                0,
                0,
                0,
                Map.of(
                    "subjects",
                    "005INTEG0000001, Jane Doe,005INTEG0000002",
                    "connectedApps",
                    List.of("0H45f000000TeLe", "not an id"))),
            0);
    assertEquals(List.of("005INTEG0000001", "005INTEG0000002"), alert.subjects().users());
    assertEquals(List.of("0H45f000000TeLe"), alert.subjects().connectedApps());
  }

  @Test
  void suppressionsMarkUntilTheyExpireAndTheAlertIsStillRecorded() {
    DroolsDecider decider =
        decider(
            new OrgProfile.Suppression(
                "LW-007", "005A", "approved export, CHG-1", T0 + 100 * MINUTE));
    Alert suppressed = decider.decide(detection("LW-007", "005A", 0), 0);
    assertEquals("approved export, CHG-1", suppressed.suppression());
    assertNull(
        decider.decide(detection("LW-007", "005B", 1), 0).suppression(), "another principal");
    assertNull(decider.decide(detection("LW-007", "005A", 200), 0).suppression(), "expired");
  }

  @Test
  void aReloadedDeciderContinuesWhatWasOpen() {
    DroolsDecider before = decider();
    Alert first = before.decide(detection("LW-003", "005A", 0), 0);
    DroolsDecider after = decider();
    after.continueFrom(before);
    Alert repeat = after.decide(detection("LW-003", "005A", 10), 0);
    assertEquals(first.id(), repeat.id());
    assertEquals(2, repeat.revision());
    assertEquals(first.id(), after.decide(detection("LW-007", "005A", 12), 0).incident());
  }

  @Test
  void withoutCorrelationRulesEveryFindingStandsAlone() {
    RulePack bare =
        new RulePack(
            pack.origin(),
            pack.name(),
            pack.version(),
            pack.sha256(),
            pack.shared(),
            List.of(),
            pack.rules());
    DroolsDecider decider = new DroolsDecider(bare, DroolsDecider.compile(bare), false, List.of());
    deciders.add(decider);
    Alert first = decider.decide(detection("LW-003", "005A", 0), 0);
    Alert repeat = decider.decide(detection("LW-003", "005A", 5), 0);
    assertNotEquals(first.id(), repeat.id());
    assertNull(decider.decide(detection("LW-007", "005A", 6), 0).incident());
    DroolsDecider withSuppression =
        new DroolsDecider(
            bare,
            DroolsDecider.compile(bare),
            false,
            List.of(
                new OrgProfile.Suppression(
                    "LW-009", "005A", "approved, CHG-7", T0 + 100 * MINUTE)));
    deciders.add(withSuppression);
    assertEquals(
        "approved, CHG-7",
        withSuppression.decide(detection("LW-009", "005A", 1), 0).suppression(),
        "a pack without correlation.drl still honours the profile's suppressions");
  }
}
