package io.leakwatch.sim.scenario;

import io.leakwatch.sim.org.SimIntegration;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.traffic.EventFactory;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import java.util.Random;

/** The nightly ETL falls back to a SOAP login with a password kept in its job config. */
public final class EtlPasswordLogin implements Scenario {
  @Override
  public String id() {
    return "etl-password-login";
  }

  @Override
  public String title() {
    return "The nightly ETL logs in through SOAP with a stored password instead of OAuth";
  }

  @Override
  public List<String> expectedRules() {
    return List.of("LW-005");
  }

  @Override
  public List<SimEvent> events(SimulatedOrg org, LocalDate date, Random random) {
    EventFactory make = new EventFactory(random, id());
    SimIntegration etl = org.integration("nightly-etl");
    SimEvent login = make.login(TrafficGenerator.millis(date, LocalTime.of(1, 2)), etl.user(), etl.egressIp(), make.sessionKey(),
        "Other Apex API", "N/A", "Standard", "Success");
    login.record().put("ApiType", "SOAP Partner");
    return List.of(login);
  }
}
