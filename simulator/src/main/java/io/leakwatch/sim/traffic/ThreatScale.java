package io.leakwatch.sim.traffic;

/**
 * The scale a Threat Detection event's Score is on, which differs per event type
 * (salesforce-events.md §7): session hijacking, API anomaly, guest-user anomaly 0–1 (login
 * anomaly's scale is not printed and is read as 0–1, as the engine does), report anomaly 0–100,
 * credential stuffing always 1.
 */
public enum ThreatScale {
  UNIT(0.5),
  PERCENT(50),
  ALWAYS_ONE(1);

  private final double typical;

  ThreatScale(double typical) {
    this.typical = typical;
  }

  /** The scale of a Threat Detection topic ({@code /event/…}). */
  public static ThreatScale of(String topic) {
    return switch (topic) {
      case EventSchemas.REPORT_ANOMALY -> PERCENT;
      case EventSchemas.CREDENTIAL_STUFFING -> ALWAYS_ONE;
      case EventSchemas.SESSION_HIJACKING,
          EventSchemas.API_ANOMALY,
          EventSchemas.LOGIN_ANOMALY,
          EventSchemas.GUEST_USER_ANOMALY ->
          UNIT;
      default -> throw new IllegalArgumentException("not a Threat Detection topic: " + topic);
    };
  }

  /**
   * The score a scenario step gets when it names none: the middle of this scale, 50 once normalised
   * to 0–100 as before (credential stuffing: its only value, which normalises to 100).
   */
  public double typical() {
    return typical;
  }
}
