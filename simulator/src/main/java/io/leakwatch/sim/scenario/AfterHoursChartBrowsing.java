package io.leakwatch.sim.scenario;

import io.leakwatch.sim.org.Role;
import io.leakwatch.sim.org.SimUser;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.traffic.EventFactory;
import io.leakwatch.sim.traffic.PatientNames;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A call-centre agent signs in over the VPN late at night and browses patient records: a handful of
 * small reads from a trusted address. Only the hour gives it away.
 */
public final class AfterHoursChartBrowsing implements Scenario {
  @Override
  public String id() {
    return "after-hours-chart-browsing";
  }

  @Override
  public String title() {
    return "A call-centre agent browses patient records at 23:10 over the VPN";
  }

  @Override
  public List<String> expectedRules() {
    return List.of("LW-003");
  }

  @Override
  public List<SimEvent> events(SimulatedOrg org, LocalDate date, Random random) {
    EventFactory make = new EventFactory(random, id());
    SimUser agent = org.people(Role.CALL_CENTRE).get(1);
    String session = make.sessionKey();
    long start = TrafficGenerator.millis(date, LocalTime.of(23, 10));
    List<SimEvent> events = new ArrayList<>();
    events.add(make.login(start - 60_000, agent, agent.ip(), session, "Application", "Browser", "Standard", "Success"));
    for (int i = 0; i < 6; i++) {
      events.add(make.apiQuery(start + i * 150_000L, agent, agent.ip(), session, "REST", "Clinic Desktop", null,
          PatientNames.lookup(random, "Patient_Record__c"), "Patient_Record__c", 3));
    }
    return events;
  }
}
