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

/** A clinician exports the "All active patients" report, 4,800 rows, to CSV. */
public final class PatientReportExport implements Scenario {
  @Override
  public String id() {
    return "patient-report-export";
  }

  @Override
  public String title() {
    return "A clinician exports a 4,800-row report of active patients to CSV";
  }

  @Override
  public List<String> expectedRules() {
    return List.of("LW-007");
  }

  @Override
  public List<SimEvent> events(SimulatedOrg org, LocalDate date, Random random) {
    EventFactory make = new EventFactory(random, id());
    SimUser clinician = org.people(Role.CLINICIAN).get(2);
    return List.of(make.report(TrafficGenerator.millis(date, LocalTime.of(15, 30)), clinician, clinician.ip(), make.sessionKey(),
        "00O" + Long.toString(random.nextLong() & 0xffffff, 36), "All active patients",
        "Contact.Name,Contact.Birthdate,Contact.MailingAddress,Contact.Phone", "Contact", 4_800, "CSV"));
  }
}
