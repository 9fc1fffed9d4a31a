package io.leakwatch.sim.scenario;

import io.leakwatch.sim.org.Role;
import io.leakwatch.sim.org.SimUser;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.traffic.EventFactory;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import java.util.Random;

/** An admin harvests debug logs, full of request bodies, on a weekday afternoon. */
public final class DebugLogHarvest implements Scenario {
  @Override
  public String id() {
    return "debug-log-harvest";
  }

  @Override
  public String title() {
    return "An admin downloads debug logs on a weekday afternoon, outside the change window";
  }

  @Override
  public List<String> expectedRules() {
    return List.of("LW-009");
  }

  @Override
  public List<SimEvent> events(SimulatedOrg org, LocalDate date, Random random) {
    EventFactory make = new EventFactory(random, id());
    SimUser admin = org.people(Role.ADMIN).get(0);
    return List.of(make.apiQuery(TrafficGenerator.millis(date, LocalTime.of(13, 40)), admin, admin.ip(), make.sessionKey(), "REST",
        "Workbench", null, "SELECT Id, LogLength, Operation FROM ApexLog ORDER BY StartTime DESC", "ApexLog", 60));
  }
}
