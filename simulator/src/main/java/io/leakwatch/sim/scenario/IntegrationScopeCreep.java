package io.leakwatch.sim.scenario;

import io.leakwatch.sim.org.SimIntegration;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.traffic.EventFactory;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * After a vendor update the telehealth integration's lookups also select SSN and medications:
 * same volume, same hours, same network, only the select list changed.
 */
public final class IntegrationScopeCreep implements Scenario {
  @Override
  public String id() {
    return "integration-scope-creep";
  }

  @Override
  public String title() {
    return "The telehealth integration starts selecting SSN and medications it never declared";
  }

  @Override
  public List<String> expectedRules() {
    return List.of("LW-011");
  }

  @Override
  public List<SimEvent> events(SimulatedOrg org, LocalDate date, Random random) {
    EventFactory make = new EventFactory(random, id());
    SimIntegration telehealth = org.integration("telehealth");
    String session = make.sessionKey();
    long start = TrafficGenerator.millis(date, LocalTime.of(9, 50));
    List<SimEvent> events = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      events.add(make.apiQuery(start + i * 90_000L, telehealth.user(), telehealth.egressIp(), session, "REST", telehealth.appName(),
          telehealth.connectedAppId(), "SELECT Id, FirstName, LastName, Birthdate, SSN__c, Medications__c FROM Contact WHERE Id = '003"
              + Long.toString(random.nextLong() & 0xffffffffL, 36) + "'", "Contact", 1));
    }
    return events;
  }
}
