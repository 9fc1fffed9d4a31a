package io.leakwatch.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.alert.AlertJson;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.rulepack.Severity;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The default pack's DRL asks for response actions, and the alert carries them. */
class ResponseDecisionTest {
  private static final String PERSON = "005000000000001AAA";
  private static final String ETL = "005000000000009AAA";
  private static DroolsDecider decider;

  @BeforeAll
  static void compile() {
    decider = new DroolsDecider(RulePackLoader.fromDirectory(Path.of("../rules/pack")), false);
  }

  @AfterAll
  static void close() {
    decider.close();
  }

  private static Detection detection(
      String rule,
      String principal,
      String integration,
      long count,
      Map<String, Object> attributes) {
    long at = 1_773_151_200_000L + count;
    return new Detection(
        rule,
        principal,
        integration,
        count,
        "Contact",
        at - 1000,
        at,
        at,
        List.of("e-" + rule + count),
        attributes);
  }

  @Test
  void copiedIntegrationTokenEndsTheSessionAndRevokesTokens() {
    Alert alert =
        decider.decide(
            detection(
                "LW-006",
                ETL,
                "nightly-etl",
                2,
                Map.of("kind", "session from two addresses", "addresses", 2L)),
            0);
    assertEquals(
        List.of(ResponseAction.END_SESSION, ResponseAction.REVOKE_TOKENS),
        alert.responses().stream().map(ResponseRequest::action).toList());
    assertTrue(alert.responses().stream().noneMatch(ResponseRequest::needsApproval));
    assertEquals(
        "LW-006 integration session from two addresses", alert.responses().get(0).requestedBy());
  }

  @Test
  void criticalBulkReadByAPersonAsksToFreezeAfterApproval() {
    Alert alert =
        decider.decide(detection("LW-001", PERSON, null, 1_500, Map.of("threshold", 100L)), 0);
    assertEquals(Severity.CRITICAL, alert.severity());
    assertEquals(
        List.of(
            new ResponseRequest(
                ResponseAction.FREEZE_USER, "LW-001 person far over threshold", true)),
        alert.responses());
  }

  @Test
  void anOrdinaryAlertAsksForNothing() {
    Alert alert =
        decider.decide(detection("LW-001", PERSON, null, 150, Map.of("threshold", 100L)), 0);
    assertEquals(Severity.HIGH, alert.severity());
    assertEquals(List.of(), alert.responses());
  }

  @Test
  void hijackedSessionReadingPhiEndsTheSession() {
    Alert alert =
        decider.decide(
            detection(
                "LW-012",
                PERSON,
                null,
                40,
                Map.of(
                    "kind",
                    "session hijacking",
                    "score",
                    90L,
                    "phiReadNearby",
                    true,
                    "sameSession",
                    true)),
            0);
    assertEquals(
        List.of(ResponseAction.END_SESSION),
        alert.responses().stream().map(ResponseRequest::action).toList());
    assertTrue(alert.responses().stream().noneMatch(ResponseRequest::needsApproval));
  }

  /** Tied to the reads only by address (the session is unknown): a human confirms first. */
  @Test
  void hijackTiedToPhiReadsByAddressOnlyWaitsForApproval() {
    Alert alert =
        decider.decide(
            detection(
                "LW-012",
                "005000000000042AAA",
                null,
                40,
                Map.of(
                    "kind",
                    "session hijacking",
                    "score",
                    90L,
                    "phiReadNearby",
                    true,
                    "sameSession",
                    false)),
            0);
    assertEquals(1, alert.responses().size());
    assertEquals(ResponseAction.END_SESSION, alert.responses().get(0).action());
    assertTrue(alert.responses().get(0).needsApproval());
  }

  @Test
  void theStricterRequestForTheSameActionWins() {
    Decisions decisions = new Decisions();
    decisions.respond("a", "freezeUser");
    decisions.respondAfterApproval("b", "freezeUser");
    decisions.respond("c", "freezeUser");
    assertEquals(
        List.of(new ResponseRequest(ResponseAction.FREEZE_USER, "b", true)), decisions.responses());
    assertThrows(IllegalArgumentException.class, () -> decisions.respond("d", "deleteUser"));
  }

  @Test
  void requestsSurviveTheJsonForm() throws Exception {
    Alert alert =
        decider.decide(
            detection(
                "LW-006",
                ETL,
                "nightly-etl",
                3,
                Map.of("kind", "session from two addresses", "addresses", 2L)),
            0);
    String json = AlertJson.toJson(alert);
    assertTrue(json.contains("\"responses\":[{\"action\":\"endSession\""), json);
    assertEquals(alert.responses(), AlertJson.fromJson(json).responses());
  }
}
