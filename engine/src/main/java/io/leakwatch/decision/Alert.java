package io.leakwatch.decision;

import java.util.List;
import java.util.Map;

/**
 * What Leakwatch tells people. Carries ids, counts, object names and times only; never a record
 * value, a SOQL text or a token.
 *
 * @param id stable for the same detection, so a replay yields the same alert ids
 * @param decidedBy the DRL rules that set the severity; empty when the rule's default applied
 * @param receivedNanos wall clock ({@link System#nanoTime()}) when the triggering event arrived,
 *     for latency measurement; not serialized
 * @param revision 1 for a new alert; higher when a later finding escalated the same alert
 * @param incident the id of the first alert of the incident this one belongs to (another rule's
 *     alert on the same principal within 30 minutes of event time), or null
 * @param suppression why a suppression in the org profile silenced it, or null; a suppressed alert
 *     is still recorded, it just pages no one
 * @param responses the response actions decision rules requested against the principal; empty for
 *     none
 */
public record Alert(
    String id,
    String ruleId,
    String title,
    Severity severity,
    String principal,
    String integration,
    long count,
    String objects,
    long firstEventTime,
    long lastEventTime,
    long detectedAt,
    List<String> evidence,
    List<String> reasons,
    List<String> decidedBy,
    List<String> attack,
    Map<String, List<String>> controls,
    boolean drill,
    long receivedNanos,
    int revision,
    String incident,
    String suppression,
    List<ResponseRequest> responses) {

  public Alert {
    responses = responses == null ? List.of() : List.copyOf(responses);
  }

  /** An alert that requests no response action. */
  public Alert(
      String id,
      String ruleId,
      String title,
      Severity severity,
      String principal,
      String integration,
      long count,
      String objects,
      long firstEventTime,
      long lastEventTime,
      long detectedAt,
      List<String> evidence,
      List<String> reasons,
      List<String> decidedBy,
      List<String> attack,
      Map<String, List<String>> controls,
      boolean drill,
      long receivedNanos,
      int revision,
      String incident,
      String suppression) {
    this(
        id,
        ruleId,
        title,
        severity,
        principal,
        integration,
        count,
        objects,
        firstEventTime,
        lastEventTime,
        detectedAt,
        evidence,
        reasons,
        decidedBy,
        attack,
        controls,
        drill,
        receivedNanos,
        revision,
        incident,
        suppression,
        List.of());
  }

  /** This alert as part of an incident, at {@code raised} severity, with every reason so far. */
  public Alert correlated(String incidentId, Severity raised, List<String> allReasons) {
    return new Alert(
        id,
        ruleId,
        title,
        raised,
        principal,
        integration,
        count,
        objects,
        firstEventTime,
        lastEventTime,
        detectedAt,
        evidence,
        List.copyOf(allReasons),
        decidedBy,
        attack,
        controls,
        drill,
        receivedNanos,
        revision,
        incidentId,
        suppression,
        responses);
  }

  /** This finding as the next revision of an earlier alert about the same thing (a repeat). */
  public Alert asRevisionOf(String earlierId, int newRevision, long earlierFirstEventTime) {
    return new Alert(
        earlierId,
        ruleId,
        title,
        severity,
        principal,
        integration,
        count,
        objects,
        Math.min(firstEventTime, earlierFirstEventTime),
        lastEventTime,
        detectedAt,
        evidence,
        reasons,
        decidedBy,
        attack,
        controls,
        drill,
        receivedNanos,
        newRevision,
        incident,
        suppression,
        responses);
  }

  public Alert suppressed(String reason) {
    return new Alert(
        id,
        ruleId,
        title,
        severity,
        principal,
        integration,
        count,
        objects,
        firstEventTime,
        lastEventTime,
        detectedAt,
        evidence,
        reasons,
        decidedBy,
        attack,
        controls,
        drill,
        receivedNanos,
        revision,
        incident,
        reason,
        responses);
  }

  /** What identifies this version of the alert: delivered once, whatever restarts replay. */
  public String deliveryKey() {
    return revision == 1 ? id : id + "#" + revision;
  }
}
