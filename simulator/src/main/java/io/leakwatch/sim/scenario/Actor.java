package io.leakwatch.sim.scenario;

import io.leakwatch.sim.org.Role;
import io.leakwatch.sim.org.SimIntegration;
import io.leakwatch.sim.org.SimUser;
import io.leakwatch.sim.org.SimulatedOrg;
import java.util.List;
import java.util.Locale;

/**
 * Who performs a scenario's steps: a person picked by role (and optionally whether they use a
 * desktop API client), or an integration by name. Resolved against the simulated org at staging
 * time, so the same file works for any org size and seed.
 */
record Actor(String name, Role role, int pick, Boolean desktopApi, String integration) {
  /** The user and, for an integration, its connected app. */
  record Resolved(SimUser user, SimIntegration integration) {
    String defaultIp() {
      return integration != null ? integration.egressIp() : user.ip();
    }
  }

  Resolved resolve(SimulatedOrg org, String file) {
    if (integration != null) {
      SimIntegration found =
          org.integrations().stream()
              .filter(i -> i.name().equals(integration))
              .findFirst()
              .orElseThrow(
                  () ->
                      new ScenarioException(
                          file,
                          "actors." + name,
                          "the simulated org has no integration '"
                              + integration
                              + "' (it has "
                              + org.integrations().stream().map(SimIntegration::name).toList()
                              + ")"));
      return new Resolved(found.user(), found);
    }
    List<SimUser> people =
        org.people(role).stream()
            .filter(u -> desktopApi == null || u.usesApiClient() == desktopApi)
            .toList();
    if (pick >= people.size()) {
      throw new ScenarioException(
          file,
          "actors." + name,
          "pick "
              + pick
              + " but the org has only "
              + people.size()
              + " such "
              + role.name().toLowerCase(Locale.ROOT));
    }
    return new Resolved(people.get(pick), null);
  }

  static Role role(String text, String file, String key) {
    try {
      return Role.valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new ScenarioException(
          file,
          key,
          "'" + text + "' is not a role (clinician, scheduler, call-centre, admin, portal-user)");
    }
  }
}
