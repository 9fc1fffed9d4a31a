package io.leakwatch.decision;

/**
 * An alert that later findings of the same rule on the same principal may still update; the pack's
 * correlation rules open, update and close these (a working-memory fact, carried across reloads).
 * It knows when the alert was last seen, not its revision: {@link AlertRevisions} numbers repeats.
 */
public final class OpenAlert {
  private final String ruleId;
  private final String principal;
  private final String alertId;
  private final long firstEventTime;
  private long lastSeen;

  public OpenAlert(Finding first) {
    this.ruleId = first.getRuleId();
    this.principal = first.getPrincipal();
    this.alertId = first.getAlertId();
    this.firstEventTime = first.getFirstEventTime();
    this.lastSeen = first.getDetectedAt();
  }

  /** A later finding about this alert (a repeat or the rule's own escalation) went out. */
  public void record(Finding later) {
    lastSeen = later.getDetectedAt();
  }

  public String getRuleId() {
    return ruleId;
  }

  public String getPrincipal() {
    return principal;
  }

  public String getAlertId() {
    return alertId;
  }

  public long getFirstEventTime() {
    return firstEventTime;
  }

  public long getLastSeen() {
    return lastSeen;
  }
}
