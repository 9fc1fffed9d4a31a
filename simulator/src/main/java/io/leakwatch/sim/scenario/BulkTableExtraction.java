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

/** An admin pulls the whole patient-record table out with a Bulk API 2.0 query. */
public final class BulkTableExtraction implements Scenario {
  @Override
  public String id() {
    return "bulk-table-extraction";
  }

  @Override
  public String title() {
    return "An admin extracts 25,000 patient records through the Bulk API";
  }

  /** The volume alone makes it a bulk read as well. */
  @Override
  public List<String> expectedRules() {
    return List.of("LW-008", "LW-001");
  }

  @Override
  public List<SimEvent> events(SimulatedOrg org, LocalDate date, Random random) {
    EventFactory make = new EventFactory(random, id());
    SimUser admin = org.people(Role.ADMIN).get(1);
    return List.of(make.apiQuery(TrafficGenerator.millis(date, LocalTime.of(16, 10)), admin, admin.ip(), make.sessionKey(),
        "Bulk API 2.0", "Data Loader", null, "SELECT Id, Name, Diagnosis__c, Provider__c, Contact__c FROM Patient_Record__c",
        "Patient_Record__c", 25_000));
  }
}
