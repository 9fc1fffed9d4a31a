package io.leakwatch.sim.scenario;

import io.leakwatch.sim.org.Role;
import io.leakwatch.sim.org.SimIntegration;
import io.leakwatch.sim.org.SimUser;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.traffic.EventFactory;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import java.util.Random;

/** An admin gives the scheduling integration View All Data and Export Reports "to fix a sync error". */
public final class PermissionGrantToIntegration implements Scenario {
  @Override
  public String id() {
    return "permission-grant-to-integration";
  }

  @Override
  public String title() {
    return "An admin grants View All Data and Export Reports to the scheduling integration";
  }

  @Override
  public List<String> expectedRules() {
    return List.of("LW-004");
  }

  @Override
  public List<SimEvent> events(SimulatedOrg org, LocalDate date, Random random) {
    EventFactory make = new EventFactory(random, id());
    SimUser admin = org.people(Role.ADMIN).get(0);
    SimIntegration scheduling = org.integration("scheduling");
    return List.of(make.permissionSet(TrafficGenerator.millis(date, LocalTime.of(11, 20)), admin, admin.ip(), make.sessionKey(),
        "PermissionSetAssignment", "UserPermission", "ViewAllData,ExportReport", "0PS" + Long.toString(random.nextLong() & 0xffffff, 36),
        "Integration_Full_Access", scheduling.user().id()));
  }
}
