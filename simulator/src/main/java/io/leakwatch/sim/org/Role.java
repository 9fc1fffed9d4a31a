package io.leakwatch.sim.org;

/** What a simulated user does for the org; decides when and how they touch patient data. */
public enum Role {
  CLINICIAN,
  SCHEDULER,
  CALL_CENTRE,
  ADMIN,
  PORTAL_USER,
  INTEGRATION
}
