package io.leakwatch.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.leakwatch.profile.OrgProfile;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertCorrelatorTest {
  private static final long MINUTE = 60_000;

  private static Alert alert(String id, String rule, Severity severity, String principal, long at) {
    return new Alert(id, rule, "t", severity, principal, null, 1, "", at, at, at, List.of(id + "-event"), List.of("r"), List.of(),
        List.of(), Map.of(), false, 0, 1, null, null);
  }

  @Test
  void aRepeatOfTheSameRuleOnTheSamePrincipalUpdatesTheEarlierAlert() {
    AlertCorrelator correlator = new AlertCorrelator(List.of());
    Alert first = correlator.apply(alert("a1", "LW-001", Severity.HIGH, "u1", 0));
    Alert repeat = correlator.apply(alert("a2", "LW-001", Severity.HIGH, "u1", 20 * MINUTE));
    assertEquals("a1", repeat.id());
    assertEquals(2, repeat.revision());
    assertEquals(first.firstEventTime(), repeat.firstEventTime());
    assertEquals(20 * MINUTE, repeat.lastEventTime());
    Alert later = correlator.apply(alert("a3", "LW-001", Severity.HIGH, "u1", 90 * MINUTE));
    assertEquals("a3", later.id(), "more than 30 minutes after the last one: a new alert");
    assertEquals(1, later.revision());
  }

  @Test
  void anotherRuleOnTheSamePrincipalJoinsTheIncidentAtTheHigherSeverity() {
    AlertCorrelator correlator = new AlertCorrelator(List.of());
    correlator.apply(alert("a1", "LW-003", Severity.HIGH, "u1", 0));
    Alert second = correlator.apply(alert("b1", "LW-007", Severity.LOW, "u1", 10 * MINUTE));
    assertEquals("a1", second.incident());
    assertEquals(Severity.HIGH, second.severity());
    assertNull(correlator.apply(alert("c1", "LW-007", Severity.LOW, "u2", 10 * MINUTE)).incident(), "another principal");
  }

  @Test
  void suppressionsMarkUntilTheyExpire() {
    AlertCorrelator correlator = new AlertCorrelator(List.of(new OrgProfile.Suppression("LW-007", "u1", "approved", 100 * MINUTE)));
    assertEquals("approved", correlator.apply(alert("a1", "LW-007", Severity.HIGH, "u1", 0)).suppression());
    assertNull(correlator.apply(alert("a2", "LW-007", Severity.HIGH, "u1", 200 * MINUTE)).suppression());
  }
}
