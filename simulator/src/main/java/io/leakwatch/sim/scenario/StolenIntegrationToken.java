package io.leakwatch.sim.scenario;

import io.leakwatch.sim.org.SimIntegration;
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
 * The telehealth integration's OAuth token is replayed from a VPS outside the org's networks: a few
 * small patient lookups, well within the integration's volume and run window. Only the source
 * address gives it away.
 */
public final class StolenIntegrationToken implements Scenario {
  static final String ATTACKER_IP = "185.220.101.34";

  @Override
  public String id() {
    return "stolen-integration-token";
  }

  @Override
  public String title() {
    return "The telehealth integration's token is used from an unknown network to look up patients";
  }

  @Override
  public List<String> expectedRules() {
    return List.of("LW-002");
  }

  @Override
  public List<SimEvent> events(SimulatedOrg org, LocalDate date, Random random) {
    EventFactory make = new EventFactory(random, id());
    SimIntegration telehealth = org.integration("telehealth");
    String session = make.sessionKey();
    long start = TrafficGenerator.millis(date, LocalTime.of(10, 42));
    List<SimEvent> events = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      events.add(make.apiQuery(start + i * 40_000L, telehealth.user(), ATTACKER_IP, session, "REST", telehealth.appName(),
          telehealth.connectedAppId(), PatientNames.lookup(random, "Contact"), "Contact", 5));
    }
    return events;
  }
}
