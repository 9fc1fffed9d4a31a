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

/** A scheduler exports the "All patients" list view, 2,300 rows, to CSV. */
public final class PatientListViewExport implements Scenario {
  @Override
  public String id() {
    return "patient-list-view-export";
  }

  @Override
  public String title() {
    return "A scheduler exports the 2,300-row \"All patients\" list view to CSV";
  }

  @Override
  public List<String> expectedRules() {
    return List.of("LW-007");
  }

  @Override
  public List<SimEvent> events(SimulatedOrg org, LocalDate date, Random random) {
    EventFactory make = new EventFactory(random, id());
    SimUser scheduler = org.people(Role.SCHEDULER).get(3);
    return List.of(make.listView(TrafficGenerator.millis(date, LocalTime.of(16, 45)), scheduler, scheduler.ip(), make.sessionKey(),
        "All patients", "Name,Birthdate,Phone,MailingCity", "Contact", 2_300, "CSV"));
  }
}
