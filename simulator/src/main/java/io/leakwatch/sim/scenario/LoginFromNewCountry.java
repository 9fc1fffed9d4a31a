package io.leakwatch.sim.scenario;

import io.leakwatch.sim.org.Role;
import io.leakwatch.sim.org.SimUser;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.traffic.EventFactory;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A clinician who always signs in from the clinic suddenly signs in from Romania in the afternoon. */
public final class LoginFromNewCountry implements Scenario {
  @Override
  public String id() {
    return "login-from-new-country";
  }

  @Override
  public String title() {
    return "A clinician's account signs in from a country it never signed in from";
  }

  @Override
  public List<String> expectedRules() {
    return List.of("LW-013");
  }

  @Override
  public List<SimEvent> events(SimulatedOrg org, LocalDate date, Random random) {
    EventFactory make = new EventFactory(random, id());
    SimUser clinician = org.people(Role.CLINICIAN).get(5);
    List<SimEvent> events = new ArrayList<>();
    // Her usual sign-ins from the clinic that morning: the history the rule learns from.
    for (LocalTime time : List.of(LocalTime.of(7, 5), LocalTime.of(9, 30), LocalTime.of(11, 45))) {
      events.add(make.login(TrafficGenerator.millis(date, time), clinician, clinician.ip(), make.sessionKey(), "Application",
          "Browser", "Standard", "Success"));
    }
    SimEvent abroad = make.login(TrafficGenerator.millis(date, LocalTime.of(14, 20)), clinician, "5.2.77.146", make.sessionKey(),
        "Application", "Browser", "Standard", "Success");
    abroad.record().put("Country", "Romania");
    abroad.record().put("CountryIso", "RO");
    events.add(abroad);
    return events;
  }

  /** The earlier sign-ins are her normal day; the leak starts with the one from abroad. */
  @Override
  public long leakStart(List<SimEvent> staged) {
    return staged.get(staged.size() - 1).eventDate();
  }
}
