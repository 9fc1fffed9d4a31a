package io.leakwatch.sim.traffic;

import io.leakwatch.sim.org.Role;
import io.leakwatch.sim.org.SimIntegration;
import io.leakwatch.sim.org.SimUser;
import io.leakwatch.sim.org.SimulatedOrg;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A working day of ordinary activity in the simulated org: people log in for their shift and read a
 * few patients at a time, admins adjust permission sets, integrations work inside their declared
 * run windows and volumes. Nothing here should ever alert; leaks are injected separately.
 */
public final class TrafficGenerator {
  private static final long MINUTE = 60_000;

  private final SimulatedOrg org;

  public TrafficGenerator(SimulatedOrg org) {
    this.org = org;
  }

  /** Every background event of {@code date} (org time zone), in event-time order. */
  public List<SimEvent> day(LocalDate date) {
    List<SimEvent> events = new ArrayList<>();
    long dayStart = millis(date, LocalTime.MIDNIGHT);
    List<SimUser> people = org.people();
    for (int i = 0; i < people.size(); i++) {
      // One Random per user and day: a change to one actor's behaviour does not reshuffle the rest.
      Random random = new Random(org.seed() * 31 + date.toEpochDay() * 1_000_003L + i);
      person(people.get(i), date, dayStart, random, events);
    }
    int n = 0;
    for (SimIntegration integration : org.integrations()) {
      integration(
          integration,
          date,
          dayStart,
          new Random(org.seed() * 17 + date.toEpochDay() * 7_919L + n++),
          events);
    }
    events.sort(TrafficGenerator::byTime);
    return events;
  }

  public static int byTime(SimEvent a, SimEvent b) {
    int byDate = Long.compare(a.eventDate(), b.eventDate());
    return byDate != 0 ? byDate : a.eventIdentifier().compareTo(b.eventIdentifier());
  }

  public static long millis(LocalDate date, LocalTime time) {
    return ZonedDateTime.of(date, time, SimulatedOrg.TIME_ZONE).toInstant().toEpochMilli();
  }

  private void person(
      SimUser user, LocalDate date, long dayStart, Random random, List<SimEvent> out) {
    EventFactory make = new EventFactory(random, null);
    boolean weekend = date.getDayOfWeek().getValue() >= 6;
    if (user.role() == Role.PORTAL_USER) {
      // Patients check the portal now and then, at any hour; the portal integration reads for them.
      if (random.nextInt(100) < 15) {
        long time = dayStart + (6 * 60 + random.nextInt(17 * 60)) * MINUTE + random.nextInt(60_000);
        out.add(
            make.login(
                time,
                user,
                user.ip(),
                make.sessionKey(),
                "Chatter Communities External User",
                "Browser",
                "CspLitePortal",
                "Success"));
        SimIntegration portal = org.integration("patient-portal");
        out.add(
            make.apiQuery(
                time + 2_000 + random.nextInt(5_000),
                portal.user(),
                portal.egressIp(),
                null,
                "REST",
                portal.appName(),
                portal.connectedAppId(),
                PatientNames.lookup(random, "Contact"),
                "Contact",
                1));
      }
      return;
    }
    if (weekend || random.nextInt(100) < 8) {
      return; // off today
    }
    // Shift: starts 07:00–09:30, lasts up to 8 hours, always ends before 19:00.
    long shiftStart = dayStart + (7 * 60 + random.nextInt(150)) * MINUTE + random.nextInt(60_000);
    long shiftEnd =
        Math.min(
            shiftStart + (6 * 60 + random.nextInt(120)) * MINUTE,
            dayStart + (18 * 60 + 50) * MINUTE);
    String session = make.sessionKey();
    out.add(
        make.login(
            shiftStart, user, user.ip(), session, "Application", "Browser", "Standard", "Success"));
    switch (user.role()) {
      case CLINICIAN, SCHEDULER -> {
        int reports = user.role() == Role.SCHEDULER ? 2 + random.nextInt(5) : random.nextInt(4);
        for (int r = 0; r < reports; r++) {
          long t = between(random, shiftStart, shiftEnd);
          out.add(
              make.report(
                  t,
                  user,
                  user.ip(),
                  session,
                  "00O" + Integer.toString(100_000 + random.nextInt(50), 36),
                  user.role() == Role.SCHEDULER ? "Tomorrow's appointments" : "My patients",
                  "Contact.Name,Contact.Birthdate,Appointment__c.Start__c",
                  "Contact,Appointment__c",
                  5 + random.nextInt(55),
                  null));
        }
        if (user.usesApiClient()) {
          apiReads(
              user,
              make,
              random,
              session,
              shiftStart,
              shiftEnd,
              5 + random.nextInt(30),
              15,
              "Contact",
              out);
        }
      }
      case CALL_CENTRE ->
          apiReads(
              user,
              make,
              random,
              session,
              shiftStart,
              shiftEnd,
              10 + random.nextInt(25),
              3,
              "Patient_Record__c",
              out);
      case ADMIN -> {
        int changes = random.nextInt(3);
        for (int c = 0; c < changes; c++) {
          SimUser target = org.people().get(random.nextInt(org.people().size()));
          out.add(
              make.permissionSet(
                  between(random, shiftStart, shiftEnd),
                  user,
                  user.ip(),
                  session,
                  "PermissionSetAssignment",
                  "UserPermission",
                  "ViewDashboards,RunReports",
                  "0PS" + Integer.toString(200_000 + random.nextInt(100), 36),
                  "Front_Desk_Reports",
                  target.id()));
        }
      }
      default -> {}
    }
  }

  /** API reads by a person's desktop tool, at least two minutes apart, a few rows each. */
  private static void apiReads(
      SimUser user,
      EventFactory make,
      Random random,
      String session,
      long from,
      long to,
      int count,
      int maxRows,
      String object,
      List<SimEvent> out) {
    long time = from + random.nextInt(10) * MINUTE;
    for (int q = 0; q < count && time < to; q++) {
      out.add(
          make.apiQuery(
              time,
              user,
              user.ip(),
              session,
              "REST",
              "Clinic Desktop",
              null,
              PatientNames.lookup(random, object),
              object,
              1 + random.nextInt(maxRows)));
      time += 2 * MINUTE + random.nextInt((int) (15 * MINUTE));
    }
  }

  private void integration(
      SimIntegration integration,
      LocalDate date,
      long dayStart,
      Random random,
      List<SimEvent> out) {
    EventFactory make = new EventFactory(random, null);
    SimUser user = integration.user();
    long start = millis(date, integration.runStart());
    long end =
        integration.runEnd().equals(integration.runStart())
            ? dayStart + 24 * 60 * MINUTE
            : millis(date, integration.runEnd());
    if (integration.name().equals("patient-portal")) {
      return; // driven by patients' logins
    }
    String session = make.sessionKey();
    out.add(
        make.login(
            start + random.nextInt(30_000),
            user,
            integration.egressIp(),
            session,
            "Remote Access 2.0",
            integration.appName(),
            "Standard",
            "Success"));
    switch (integration.name()) {
      case "telehealth" -> {
        for (long t = start + MINUTE;
            t < end - MINUTE;
            t += 2 * MINUTE + random.nextInt((int) (3 * MINUTE))) {
          String object = random.nextBoolean() ? "Contact" : "Patient_Record__c";
          out.add(
              make.apiQuery(
                  t,
                  user,
                  integration.egressIp(),
                  session,
                  "REST",
                  integration.appName(),
                  integration.connectedAppId(),
                  PatientNames.lookup(random, object),
                  object,
                  1 + random.nextInt(20)));
        }
      }
      case "scheduling" -> {
        for (long t = start + MINUTE; t < end - MINUTE; t += MINUTE + random.nextInt(30_000)) {
          out.add(
              make.apiQuery(
                  t,
                  user,
                  integration.egressIp(),
                  session,
                  "REST",
                  integration.appName(),
                  integration.connectedAppId(),
                  "SELECT Id, Contact__c, Start__c FROM Appointment__c WHERE Start__c = TOMORROW",
                  "Appointment__c,Contact",
                  10 + random.nextInt(40)));
        }
      }
      case "nightly-etl" -> {
        long t = start + 5 * MINUTE;
        for (int batch = 0; batch < 20 && t < end - 10 * MINUTE; batch++) {
          out.add(
              make.apiQuery(
                  t,
                  user,
                  integration.egressIp(),
                  session,
                  "Bulk API 2.0",
                  integration.appName(),
                  integration.connectedAppId(),
                  "SELECT Id, Name, Diagnosis__c, Provider__c FROM Patient_Record__c WHERE LastModifiedDate = YESTERDAY",
                  "Patient_Record__c",
                  2_000 + random.nextInt(8_000)));
          t += 6 * MINUTE + random.nextInt((int) (4 * MINUTE));
        }
      }
      default -> {}
    }
  }

  private static long between(Random random, long from, long to) {
    return from + (long) (random.nextDouble() * Math.max(1, to - from));
  }
}
