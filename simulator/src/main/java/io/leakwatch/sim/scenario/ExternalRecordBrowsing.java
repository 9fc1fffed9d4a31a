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

/** A call-centre agent looks patients up directly in the EHR through its Salesforce Connect object. */
public final class ExternalRecordBrowsing implements Scenario {
  @Override
  public String id() {
    return "external-record-browsing";
  }

  @Override
  public String title() {
    return "A call-centre agent reads the EHR's patient table through Salesforce Connect";
  }

  @Override
  public List<String> expectedRules() {
    return List.of("LW-010");
  }

  @Override
  public List<SimEvent> events(SimulatedOrg org, LocalDate date, Random random) {
    EventFactory make = new EventFactory(random, id());
    SimUser agent = org.people(Role.CALL_CENTRE).get(3);
    return List.of(make.apiQuery(TrafficGenerator.millis(date, LocalTime.of(12, 25)), agent, agent.ip(), make.sessionKey(), "REST",
        "Clinic Desktop", null, "SELECT ExternalId, Name__c, DOB__c, MRN__c FROM EHR_Patient__x", "EHR_Patient__x", 40));
  }
}
