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
    int revision) {

  /** What identifies this version of the alert: delivered once, whatever restarts replay. */
  public String deliveryKey() {
    return revision == 1 ? id : id + "#" + revision;
  }
}
