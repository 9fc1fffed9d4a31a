package io.leakwatch.decision;

import io.leakwatch.profile.OrgProfile;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What happens to an alert after its rule decided it: suppressions from the org profile mark it
 * (it is still recorded); a repeat of the same rule on the same principal within 30 minutes of event
 * time updates the earlier alert (a new revision with the latest count and last-seen time) instead
 * of flooding; and alerts of different rules on the same principal within 30 minutes become one
 * incident, at the highest severity seen.
 */
public final class AlertCorrelator {
  static final long INCIDENT_WINDOW_MILLIS = 30 * 60_000L;

  private record Open(String incidentId, String lastRule, long lastTime, Severity severity) {}

  private record Latest(String alertId, int revision, long firstEventTime, long lastTime) {}

  private final List<OrgProfile.Suppression> suppressions;
  private final Map<String, Open> openByPrincipal = new HashMap<>();
  private final Map<String, Latest> latestByRuleAndPrincipal = new HashMap<>();

  public AlertCorrelator(List<OrgProfile.Suppression> suppressions) {
    this.suppressions = suppressions;
  }

  public Alert apply(Alert alert) {
    for (OrgProfile.Suppression suppression : suppressions) {
      if (suppression.matches(alert.ruleId(), alert.principal(), alert.detectedAt())) {
        return alert.suppressed(suppression.reason());
      }
    }
    String key = alert.ruleId() + '\0' + alert.principal();
    if (alert.revision() > 1) {
      // A rule's own escalation of an alert (LW-012): later repeats continue from this revision.
      Latest latest = latestByRuleAndPrincipal.get(key);
      if (latest != null && latest.alertId().equals(alert.id()) && alert.revision() > latest.revision()) {
        latestByRuleAndPrincipal.put(key, new Latest(alert.id(), alert.revision(), latest.firstEventTime(), alert.detectedAt()));
      }
      return alert;
    }
    Latest latest = latestByRuleAndPrincipal.get(key);
    if (latest != null && !latest.alertId().equals(alert.id()) && alert.detectedAt() - latest.lastTime() <= INCIDENT_WINDOW_MILLIS) {
      Alert update = alert.asRevisionOf(latest.alertId(), latest.revision() + 1, latest.firstEventTime());
      latestByRuleAndPrincipal.put(key, new Latest(latest.alertId(), update.revision(), update.firstEventTime(), alert.detectedAt()));
      return update;
    }
    latestByRuleAndPrincipal.put(key, new Latest(alert.id(), 1, alert.firstEventTime(), alert.detectedAt()));
    Open open = openByPrincipal.get(alert.principal());
    if (open != null && alert.detectedAt() - open.lastTime() <= INCIDENT_WINDOW_MILLIS && !open.lastRule().equals(alert.ruleId())) {
      Severity severity = alert.severity().compareTo(open.severity()) >= 0 ? alert.severity() : open.severity();
      openByPrincipal.put(alert.principal(), new Open(open.incidentId(), alert.ruleId(), alert.detectedAt(), severity));
      return alert.correlated(open.incidentId(), severity, "part of incident " + open.incidentId() + " with " + open.lastRule()
          + " on the same principal within 30 minutes");
    }
    openByPrincipal.put(alert.principal(), new Open(alert.id(), alert.ruleId(), alert.detectedAt(), alert.severity()));
    if (openByPrincipal.size() > 100_000) {
      openByPrincipal.entrySet().removeIf(e -> alert.detectedAt() - e.getValue().lastTime() > INCIDENT_WINDOW_MILLIS);
      latestByRuleAndPrincipal.entrySet().removeIf(e -> alert.detectedAt() - e.getValue().lastTime() > INCIDENT_WINDOW_MILLIS);
    }
    return alert;
  }
}
