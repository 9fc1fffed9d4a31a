package io.leakwatch.decision;

import io.leakwatch.rulepack.Severity;

/**
 * Alerts of different rules about one principal that belong together; named after the first alert.
 * Opened, extended and closed by the pack's correlation rules.
 */
public final class OpenIncident {
  private final String principal;
  private final String incidentId;
  private String lastRule;
  private long lastSeen;
  private Severity severity;

  public OpenIncident(Finding first) {
    this.principal = first.getPrincipal();
    this.incidentId = first.getAlertId();
    this.lastRule = first.getRuleId();
    this.lastSeen = first.getDetectedAt();
    this.severity = first.getSeverity();
  }

  /** Another rule's finding joined the incident. */
  public void record(Finding joined) {
    lastRule = joined.getRuleId();
    lastSeen = joined.getDetectedAt();
    if (joined.getSeverity().compareTo(severity) > 0) {
      severity = joined.getSeverity();
    }
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

  public Severity getSeverity() {
    return severity;
  }
}
