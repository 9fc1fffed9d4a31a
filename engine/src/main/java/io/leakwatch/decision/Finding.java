package io.leakwatch.decision;

import io.leakwatch.rulepack.Severity;
import java.util.ArrayList;
import java.util.List;

/**
 * A decided alert on its way out: the fact the pack's correlation rules ({@code correlation.drl})
 * reason about. Those rules may turn it into the next revision of an open alert, join it to an open
 * incident, or mark it suppressed; {@link DroolsDecider} builds the alert from what is left.
 */
public final class Finding {
  /** Where correlation stands: NEW, then INCIDENT (it opened or continues an alert), then DONE. */
  public enum Stage {
    NEW,
    INCIDENT,
    DONE
  }

  private final String ruleId;
  private final String principal;
  private final long detectedAt;
  private final int revision;
  private final long lastEventTime;
  private final List<String> entities;
  private String alertId;
  private long firstEventTime;
  private Severity severity;
  private String incident;
  private String suppression;
  private Stage stage = Stage.NEW;
  private final List<String> reasons = new ArrayList<>();

  Finding(Alert decided) {
    this.ruleId = decided.ruleId();
    this.principal = decided.principal();
    this.detectedAt = decided.detectedAt();
    this.alertId = decided.id();
    this.revision = decided.revision();
    this.firstEventTime = decided.firstEventTime();
    this.lastEventTime = decided.lastEventTime();
    this.entities = decided.subjects().entities(decided.principal());
    this.severity = decided.severity();
  }

  /**
   * The finding repeats {@code open}: same alert id, the earliest first event. Which revision of
   * that alert it makes is not the policy's to say ({@link AlertRevisions} numbers it).
   */
  public void continueAlert(OpenAlert open) {
    alertId = open.getAlertId();
    firstEventTime = Math.min(firstEventTime, open.getFirstEventTime());
    stage = Stage.DONE;
  }

  /** The finding joins {@code open}, whose severity it takes when that is higher. */
  public void joinIncident(OpenIncident open, String reason) {
    incident = open.getIncidentId();
    if (open.getSeverity().compareTo(severity) > 0) {
      severity = open.getSeverity();
    }
    reasons.add(reason);
    stage = Stage.DONE;
  }

  public void suppress(String reason) {
    suppression = reason;
    stage = Stage.DONE;
  }

  /**
   * The alert as correlation left it; {@code repeatRevision} is the revision it makes when it
   * repeats an open alert.
   */
  Alert applyTo(Alert decided, int repeatRevision) {
    Alert.Builder out = decided.toBuilder();
    if (!alertId.equals(decided.id())) {
      out.id(alertId)
          .revision(repeatRevision)
          .firstEventTime(Math.min(decided.firstEventTime(), firstEventTime));
    }
    if (incident != null || severity != decided.severity()) {
      List<String> all = new ArrayList<>(decided.reasons());
      all.addAll(reasons);
      out.incident(incident).severity(severity).reasons(List.copyOf(all));
    }
    if (suppression != null) {
      out.suppression(suppression);
    }
    return out.build();
  }

  public String getRuleId() {
    return ruleId;
  }

  public String getPrincipal() {
    return principal;
  }

  public long getDetectedAt() {
    return detectedAt;
  }

  public String getAlertId() {
    return alertId;
  }

  /** The revision the engine gave the decided alert: above 1 for a rule's own escalation. */
  public int getRevision() {
    return revision;
  }

  public long getFirstEventTime() {
    return firstEventTime;
  }

  public long getLastEventTime() {
    return lastEventTime;
  }

  /**
   * The actor and subjects, tagged by kind ({@code user:005…}, {@code session:…}, {@code app:…}).
   */
  public List<String> getEntities() {
    return entities;
  }

  public Severity getSeverity() {
    return severity;
  }

  public String getIncident() {
    return incident;
  }

  public String getSuppression() {
    return suppression;
  }

  public Stage getStage() {
    return stage;
  }

  public void setStage(Stage stage) {
    this.stage = stage;
  }
}
