package io.leakwatch.sim.scenario;

import io.leakwatch.sim.org.Role;
import io.leakwatch.sim.org.SimUser;
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
 * A clinician who reads about forty patients a day through a desktop tool pulls 450 over a morning,
 * 45 at a time, 25 minutes apart: no five-minute window comes near the bulk threshold. The three
 * ordinary days before it are part of the scenario, so the rule has a baseline to compare with
 * (six: the engine sees only part of the first, which the baseline leaves out, and the rule learns from five).
 */
public final class ChunkedSlowExfiltration implements Scenario {
  @Override
  public String id() {
    return "chunked-slow-exfiltration";
  }

  @Override
  public String title() {
    return "A clinician pulls 450 patient records in 45-row chunks over a morning, ten times her usual day";
  }

  @Override
  public List<String> expectedRules() {
    return List.of("LW-014");
  }

  @Override
  public List<SimEvent> events(SimulatedOrg org, LocalDate date, Random random) {
    EventFactory make = new EventFactory(random, id());
    SimUser clinician = org.people(Role.CLINICIAN).stream().filter(u -> !u.usesApiClient()).findFirst().orElseThrow();
    List<SimEvent> events = new ArrayList<>();
    // Her six previous working days (weekends skipped: a weekend read would be after hours).
    List<LocalDate> history = new ArrayList<>();
    for (LocalDate day = date.minusDays(1); history.size() < 6; day = day.minusDays(1)) {
      if (day.getDayOfWeek().getValue() < 6) {
        history.add(0, day);
      }
    }
    for (LocalDate day : history) {
      events.add(make.apiQuery(TrafficGenerator.millis(day, LocalTime.of(10, 0)), clinician, clinician.ip(),
          make.sessionKey(), "REST", "Clinic Desktop", null, PatientNames.lookup(random, "Contact"), "Contact", 40));
    }
    String session = make.sessionKey();
    long start = TrafficGenerator.millis(date, LocalTime.of(10, 30));
    for (int chunk = 0; chunk < 10; chunk++) {
      events.add(make.apiQuery(start + chunk * 25 * 60_000L, clinician, clinician.ip(), session, "REST", "Clinic Desktop", null,
          "SELECT Id, FirstName, LastName, Birthdate, MailingAddress FROM Contact ORDER BY Id LIMIT 45 OFFSET " + chunk * 45,
          "Contact", 45));
    }
    return events;
  }

  /** A slow leak is caught once enough of it has happened: within the morning it takes. */
  @Override
  public java.time.Duration expectedTimeToDetect() {
    return java.time.Duration.ofHours(4);
  }

  /** The six earlier days are her normal; the leak starts with the first chunk. */
  @Override
  public long leakStart(List<SimEvent> staged) {
    return staged.get(6).eventDate();
  }
}
