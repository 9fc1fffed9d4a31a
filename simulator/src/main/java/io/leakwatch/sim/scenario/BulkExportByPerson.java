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

/**
 * A scheduler's session pages through the whole Contact table with a script in mid-afternoon:
 * twelve 200-row queries in three minutes, from the office network, during business hours. Only
 * the volume gives it away.
 */
public final class BulkExportByPerson implements Scenario {
  @Override
  public String id() {
    return "bulk-export-by-person";
  }

  @Override
  public String title() {
    return "A scheduler's account pages 2,400 patient contacts out through the API in three minutes";
  }

  @Override
  public List<String> expectedRules() {
    return List.of("LW-001");
  }

  @Override
  public List<SimEvent> events(SimulatedOrg org, LocalDate date, Random random) {
    EventFactory make = new EventFactory(random, id());
    SimUser user = org.people(Role.SCHEDULER).get(0);
    String session = make.sessionKey();
    long start = TrafficGenerator.millis(date, LocalTime.of(14, 5));
    List<SimEvent> events = new ArrayList<>();
    for (int page = 0; page < 12; page++) {
      events.add(make.apiQuery(start + page * 15_000L + random.nextInt(3_000), user, user.ip(), session, "REST", "python-requests",
          null, "SELECT Id, FirstName, LastName, Birthdate, MailingAddress, Phone FROM Contact ORDER BY Id LIMIT 200 OFFSET " + page * 200,
          "Contact", 200));
    }
    return events;
  }
}
