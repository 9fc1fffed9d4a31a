package io.leakwatch.decision;

import io.leakwatch.profile.OrgProfile;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What happens to an alert after its rule decided it: suppressions from the org profile mark it
 * (it is still recorded), and alerts of different rules on the same principal within 30 minutes of
 * event time become one incident, at the highest severity seen.
 */
public final class AlertCorrelator {
  static final long INCIDENT_WINDOW_MILLIS = 30 * 60_000L;

  private record Open(String incidentId, String lastRule, long lastTime, Severity severity) {}

  private final List<OrgProfile.Suppression> suppressions;
  private final Map<String, Open> openByPrincipal = new HashMap<>();

  public AlertCorrelator(List<OrgProfile.Suppression> suppressions) {
    this.suppressions = suppressions;
  }

  public Alert apply(Alert alert) {
    for (OrgProfile.Suppression suppression : suppressions) {
      if (suppression.matches(alert.ruleId(), alert.principal(), alert.detectedAt())) {
        return alert.suppressed(suppression.reason());
      }
    }
    if (alert.revision() > 1) {
      return alert;
    }
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
    }
    return alert;
  }
}
