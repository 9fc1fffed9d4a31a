package io.leakwatch.sim.scenario;

import io.leakwatch.sim.org.SimIntegration;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.traffic.EventFactory;
import io.leakwatch.sim.traffic.PatientNames;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import java.util.Random;

/**
 * Someone copies the scheduling integration's session token to an office workstation and uses it
 * there while the integration keeps running: one session, two addresses, both inside the network.
 */
public final class CopiedIntegrationSession implements Scenario {
  @Override
  public String id() {
    return "copied-integration-session";
  }

  @Override
  public String title() {
    return "The scheduling integration's session token is replayed from an office workstation";
  }

  @Override
  public List<String> expectedRules() {
    return List.of("LW-006");
  }

  @Override
  public List<SimEvent> events(SimulatedOrg org, LocalDate date, Random random) {
    EventFactory make = new EventFactory(random, id());
    SimIntegration scheduling = org.integration("scheduling");
    String session = make.sessionKey();
    long start = TrafficGenerator.millis(date, LocalTime.of(11, 15));
    return List.of(
        make.apiQuery(start, scheduling.user(), scheduling.egressIp(), session, "REST", scheduling.appName(),
            scheduling.connectedAppId(), PatientNames.lookup(random, "Contact"), "Contact", 3),
        make.apiQuery(start + 150_000, scheduling.user(), "198.51.100.77", session, "REST", "curl",
            scheduling.connectedAppId(), PatientNames.lookup(random, "Contact"), "Contact", 4));
  }
}
