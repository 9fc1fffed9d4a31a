package io.leakwatch.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.leakwatch.rulepack.Severity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one owner of alert ids and revision numbers, without any DRL. */
class AlertRevisionsTest {
  private static final long T0 = 1_780_000_000_000L;

  private static Detection detection(String rule, String principal, long at, Object alertKey) {
    return new Detection(
        rule,
        principal,
        null,
        1,
        "Contact",
        at,
        at,
        at,
        List.of(rule + "-" + at),
        alertKey == null ? Map.of() : Map.of("alertKey", alertKey));
  }

  private static Alert out(String id, Severity severity, int revision) {
    return Alert.builder().id(id).ruleId("LW-012").severity(severity).revision(revision).build();
  }

  @Test
  void theSameDetectionIsTheSameAlertAndAnAlertKeyNamesItAcrossDetections() {
    Detection first = detection("LW-003", "005A", T0, null);
    assertEquals(AlertRevisions.ownId(first), AlertRevisions.ownId(first));
    assertNotEquals(
        AlertRevisions.ownId(first),
        AlertRevisions.ownId(detection("LW-003", "005A", T0 + 1, null)));
    assertEquals(
        AlertRevisions.ownId(detection("LW-012", "005T", T0, "s1")),
        AlertRevisions.ownId(detection("LW-012", "005T", T0 + 600_000, "s1")));
  }

  @Test
  void aLoginHistoryRowProcessedLateAgainIsTheSameAlert() {
    // A row read again after a restart is processed at whatever the pipeline's time is then.
    Detection first = fromStream("LoginHistory", T0, T0 + 60_000);
    Detection replayed = fromStream("LoginHistory", T0, T0 + 3 * 3_600_000);
    assertEquals(AlertRevisions.ownId(first), AlertRevisions.ownId(replayed));
    assertNotEquals(
        AlertRevisions.ownId(first),
        AlertRevisions.ownId(fromStream("LoginHistory", T0 + 1, T0 + 60_000)),
        "another login");
    assertNotEquals(
        AlertRevisions.ownId(fromStream("LoginEventStream", T0, T0 + 60_000)),
        AlertRevisions.ownId(fromStream("LoginEventStream", T0, T0 + 3 * 3_600_000)),
        "a stream's findings keep telling detections apart by when they were made");
  }

  @Test
  void thePollsStreamNameIsTheOneItsRowsCarry() {
    assertEquals(
        io.leakwatch.cep.TopicTypes.streamName(io.leakwatch.cep.TopicTypes.LOGIN_HISTORY),
        AlertRevisions.POLL_STREAM);
  }

  private static Detection fromStream(String stream, long loginTime, long detectedAt) {
    return new Detection(
        "LW-005",
        "005E",
        "etl",
        1,
        "",
        loginTime,
        loginTime,
        detectedAt,
        List.of("0Ya000000000001AAA"),
        Map.of(Detection.STREAMS, stream));
  }

  @Test
  void anAlertIsRaisedOnceAndEachHigherSeverityIsItsNextRevision() {
    AlertRevisions revisions = new AlertRevisions();
    assertEquals(1, revisions.raise("lw-a", Severity.MEDIUM));
    assertEquals(0, revisions.raise("lw-a", Severity.MEDIUM), "a repeat at the same severity");
    assertEquals(0, revisions.raise("lw-a", Severity.LOW), "a repeat at a lower severity");
    assertEquals(2, revisions.raise("lw-a", Severity.CRITICAL));
    assertEquals(0, revisions.raise("lw-a", Severity.CRITICAL));
  }

  @Test
  void repeatsAndEscalationsOfOneAlertShareOneSequence() {
    AlertRevisions revisions = new AlertRevisions();
    Detection signal = detection("LW-012", "005T", T0, "s1");
    String a = revisions.alertIdOf(signal);
    revisions.delivered(a, out(a, Severity.MEDIUM, revisions.raise(a, Severity.MEDIUM)));

    // A second signal the correlation policy calls a repeat of the open alert: revision 2.
    Detection second = detection("LW-012", "005T", T0 + 300_000, "s2");
    String b = revisions.alertIdOf(second);
    assertEquals(1, revisions.raise(b, Severity.MEDIUM), "its own id is new");
    assertEquals(2, revisions.repeatOf(a));
    revisions.delivered(b, out(a, Severity.MEDIUM, 2));

    // The first signal's escalation continues after the repeat, not a second revision 2.
    assertEquals(3, revisions.raise(revisions.alertIdOf(signal), Severity.CRITICAL));
    revisions.delivered(a, out(a, Severity.CRITICAL, 3));
    assertEquals(4, revisions.repeatOf(a), "a later repeat continues after the escalation");

    // The folded signal's own id now stands for the alert it joined, at its highest severity.
    Detection secondEscalated = detection("LW-012", "005T", T0 + 720_000, "s2");
    assertEquals(a, revisions.alertIdOf(secondEscalated));
    assertEquals(0, revisions.raise(a, Severity.CRITICAL), "already raised critical");
  }

  @Test
  void anIncidentsHigherSeverityCountsAsRaised() {
    AlertRevisions revisions = new AlertRevisions();
    assertEquals(1, revisions.raise("lw-a", Severity.MEDIUM));
    revisions.delivered("lw-a", out("lw-a", Severity.HIGH, 1));
    assertEquals(0, revisions.raise("lw-a", Severity.HIGH));
    assertEquals(2, revisions.raise("lw-a", Severity.CRITICAL));
  }

  @Test
  void aReloadContinuesTheNumbering() {
    AlertRevisions before = new AlertRevisions();
    before.raise("lw-a", Severity.MEDIUM);
    before.delivered("lw-b", out("lw-a", Severity.MEDIUM, 2));
    AlertRevisions after = new AlertRevisions();
    after.continueFrom(before);
    assertEquals(3, after.repeatOf("lw-a"));
    assertEquals(0, after.raise("lw-a", Severity.MEDIUM));
    assertEquals(3, after.raise("lw-a", Severity.HIGH));
  }
}
