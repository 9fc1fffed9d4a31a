package io.leakwatch.decision;

import io.leakwatch.rulepack.Severity;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Alerts that belong together because they share an actor or a subject (a user, a session, a
 * connected app) and happened close together in event time; named after the first alert. Opened,
 * extended and forgotten by the pack's correlation rules.
 */
public final class OpenIncident {
  /** The principal of the first alert. */
  private final String principal;

  private final String incidentId;
  private final Set<String> entities = new LinkedHashSet<>();
  private String lastRule;
  private long lastSeen;
  private long firstEventTime;
  private long lastEventTime;
  private Severity severity;

  public OpenIncident(Finding first) {
    this.principal = first.getPrincipal();
    this.incidentId = first.getAlertId();
    this.lastRule = first.getRuleId();
    this.lastSeen = first.getDetectedAt();
    this.firstEventTime = first.getFirstEventTime();
    this.lastEventTime = first.getLastEventTime();
    this.severity = first.getSeverity();
    entities.addAll(first.getEntities());
  }

  /**
   * Another rule's finding joined the incident: its entities and event span become the incident's.
   */
  public void record(Finding joined) {
    lastRule = joined.getRuleId();
    lastSeen = Math.max(lastSeen, joined.getDetectedAt());
    firstEventTime = Math.min(firstEventTime, joined.getFirstEventTime());
    lastEventTime = Math.max(lastEventTime, joined.getLastEventTime());
    entities.addAll(joined.getEntities());
    if (joined.getSeverity().compareTo(severity) > 0) {
      severity = joined.getSeverity();
    }
  }

  /**
   * The first entity {@code finding} shares with this incident (e.g. {@code user:005…}), or null
   * when it shares none.
   */
  public String sharedWith(Finding finding) {
    for (String entity : finding.getEntities()) {
      if (entities.contains(entity)) {
        return entity;
      }
    }
    return null;
  }

  /**
   * Whether {@code finding}'s events come within {@code gapMillis} of this incident's events, in
   * event time. A day-long detection (a slow leak) overlaps the shorter alerts inside its day.
   */
  public boolean isNear(Finding finding, long gapMillis) {
    return finding.getFirstEventTime() <= lastEventTime + gapMillis
        && firstEventTime <= finding.getLastEventTime() + gapMillis;
  }

  public String getPrincipal() {
    return principal;
  }

  public String getIncidentId() {
    return incidentId;
  }

  public String getLastRule() {
    return lastRule;
  }

  public long getLastSeen() {
    return lastSeen;
  }

  public long getFirstEventTime() {
    return firstEventTime;
  }

  public long getLastEventTime() {
    return lastEventTime;
  }

  public Severity getSeverity() {
    return severity;
  }
}
