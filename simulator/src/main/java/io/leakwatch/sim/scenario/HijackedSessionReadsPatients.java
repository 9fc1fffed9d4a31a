package io.leakwatch.sim.scenario;

import io.leakwatch.sim.org.Role;
import io.leakwatch.sim.org.SimUser;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.traffic.EventFactory;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.PatientNames;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Threat Detection flags a clinician's session as hijacked; twelve minutes later that session reads
 * patient records: few enough rows, in business hours, from the office. Only the sequence tells.
 */
public final class HijackedSessionReadsPatients implements Scenario {
  @Override
  public String id() {
    return "hijacked-session-reads-patients";
  }

  @Override
  public String title() {
    return "A session flagged as hijacked reads patient records twelve minutes later";
  }

  @Override
  public List<String> expectedRules() {
    return List.of("LW-012");
  }

  @Override
  public List<SimEvent> events(SimulatedOrg org, LocalDate date, Random random) {
    EventFactory make = new EventFactory(random, id());
    SimUser clinician = org.people(Role.CLINICIAN).get(4);
    String session = make.sessionKey();
    long start = TrafficGenerator.millis(date, LocalTime.of(13, 0));
    List<SimEvent> events = new ArrayList<>();
    events.add(make.threat(EventSchemas.SESSION_HIJACKING, start, clinician, clinician.ip(), session, 74.0,
        "Session key reused from a different browser fingerprint"));
    for (int i = 0; i < 3; i++) {
      events.add(make.apiQuery(start + (12 + i) * 60_000L, clinician, clinician.ip(), session, "REST", "Clinic Desktop", null,
          PatientNames.lookup(random, "Contact"), "Contact", 8));
    }
    return events;
  }
}
