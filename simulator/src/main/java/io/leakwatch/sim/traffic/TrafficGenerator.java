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
 *
 * <p>The events have the shapes a real org's have (salesforce-events.md): the ETL pages through its
 * pulls with {@code queryMore} (every batch carrying the query's total), the telehealth
 * integration's Apex side calls from "Salesforce.com IP" on the same session, the portal's calls
 * have null session and login keys, some reports arrive in chunks of one execution, ApiType comes
 * in its old ("REST API") and new ("REST") spellings, ApiEvent changes schema at noon, a few staff
 * logins carry no geolocation, and admins' background and scheduled report exports carry no
 * session, login key or address.
 */
public final class TrafficGenerator {
  private static final long MINUTE = 60_000;
  private static final int NOT_GEOLOCATED_PERCENT = 2;
  private static final String ETL_QUERY =
      "SELECT Id, Name, Diagnosis__c, Provider__c FROM Patient_Record__c"
          + " WHERE LastModifiedDate = YESTERDAY";

  private final SimulatedOrg org;
  private final UiActivity ui;

  public TrafficGenerator(SimulatedOrg org) {
    this.org = org;
    this.ui = new UiActivity(org);
  }

  /** Every background event of {@code date} (org time zone), in event-time order. */
  public List<SimEvent> day(LocalDate date) {
    List<SimEvent> events = people(date, 0, org.people().size());
    events.addAll(integrations(date));
    events.sort(TrafficGenerator::byTime);
    return events;
  }

  /**
   * The background events of the people at {@code from} (inclusive) to {@code to} (exclusive) in
   * the org's list, in no particular order. Each person's day depends only on the seed, the date
   * and their index, so a day generated a block of people at a time has exactly the events of
   * {@link #day} (how a large org's day is streamed without holding it whole).
   */
  public List<SimEvent> people(LocalDate date, int from, int to) {
    List<SimEvent> events = new ArrayList<>();
    long dayStart = millis(date, LocalTime.MIDNIGHT);
    List<SimUser> people = org.people();
    for (int i = from; i < to; i++) {
      // One Random per user and day: a change to one actor's behaviour does not reshuffle the rest.
      Random random = new Random(org.seed() * 31 + date.toEpochDay() * 1_000_003L + i);
      person(people.get(i), date, dayStart, random, events);
    }
    return events;
  }

  /** The integrations' background events of {@code date}, in no particular order. */
  public List<SimEvent> integrations(LocalDate date) {
    List<SimEvent> events = new ArrayList<>();
    long dayStart = millis(date, LocalTime.MIDNIGHT);
    int n = 0;
    for (SimIntegration integration : org.integrations()) {
      integration(
          integration,
          date,
          dayStart,
          new Random(org.seed() * 17 + date.toEpochDay() * 7_919L + n++),
          events);
    }
    return events;
  }

  public static int byTime(SimEvent a, SimEvent b) {
    int byDate = Long.compare(a.eventDate(), b.eventDate());
    return byDate != 0 ? byDate : a.eventIdentifier().compareTo(b.eventIdentifier());
  }

  public static long millis(LocalDate date, LocalTime time) {
    return ZonedDateTime.of(date, time, SimulatedOrg.TIME_ZONE).toInstant().toEpochMilli();
  }

  /**
   * Salesforce leaves a login's geolocation (Country, CountryIso, City) null when it cannot place
   * the address. The docs give no share; here 2 % of staff logins, chosen by event id so the rest
   * of the day's random traffic stays as it was.
   */
  static SimEvent notGeolocatedNowAndThen(SimEvent login) {
    if (Math.floorMod(login.eventIdentifier().hashCode(), 100) < NOT_GEOLOCATED_PERCENT) {
      for (String field : List.of("Country", "CountryIso", "City")) {
        login.record().put(field, null);
      }
    }
    return login;
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
        notGeolocatedNowAndThen(
            make.login(
                shiftStart,
                user,
                user.ip(),
                session,
                "Application",
                "Browser",
                "Standard",
                "Success")));
    switch (user.role()) {
      case CLINICIAN, SCHEDULER -> {
        int reports = user.role() == Role.SCHEDULER ? 2 + random.nextInt(5) : random.nextInt(4);
        for (int r = 0; r < reports; r++) {
          long t = between(random, shiftStart, shiftEnd);
          String reportId = "00O" + Integer.toString(100_000 + random.nextInt(50), 36);
          long rows = 5 + random.nextInt(55);
          // Some results arrive as two chunks of one execution, each with the total.
          int chunks = random.nextInt(3) == 0 ? 2 : 1;
          String execution = "0Ex" + Long.toString(random.nextLong() & 0xffffffffffL, 36);
          for (int c = 1; c <= chunks; c++) {
            out.add(
                make.reportChunk(
                    t + (c - 1) * 400L,
                    user,
                    user.ip(),
                    session,
                    reportId,
                    user.role() == Role.SCHEDULER ? "Tomorrow's appointments" : "My patients",
                    "Contact.Name,Contact.Birthdate,Appointment__c.Start__c",
                    "Contact,Appointment__c",
                    rows,
                    null,
                    execution,
                    c));
          }
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
        listViewRuns(user, dayStart, shiftStart, shiftEnd, session, out);
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
      // (desktop tools of older releases report ApiType "REST API": see apiReads)
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
                  // Adding a permission to a set: an assignment fires the event only for a set
                  // holding a critical permission, which routine front-desk sets do not.
                  random.nextInt(4) == 0 ? "PermsDisabled" : "PermsEnabled",
                  "PermissionSet",
                  random.nextBoolean()
                      ? "[\"ViewDashboards\",\"RunReports\"]"
                      : "ViewDashboards, RunReports",
                  "0PS" + Integer.toString(200_000 + random.nextInt(100), 36),
                  "Front_Desk_Reports",
                  target.id()));
        }
      }
      default -> {}
    }
    // UI streams draw from their own Random, so adding them left the other events unchanged.
    Random uiRandom = new Random(random.nextLong() ^ 0x5DEECE66DL);
    ui.shift(user, shiftStart, shiftEnd, session, uiRandom, out);
    if (user.role() == Role.ADMIN) {
      // Drawn last and from their own Random: the events above stay as they were for every seed.
      AsyncReportExports.adminDay(
          user, dayStart, shiftStart, shiftEnd, new Random(random.nextLong() ^ 0x2545F491L), out);
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
    // Older desktop tools report the ApiType of the v46–v56 docs.
    String apiType = random.nextBoolean() ? "REST" : "REST API";
    for (int q = 0; q < count && time < to; q++) {
      out.add(
          make.apiQuery(
              time,
              user,
              user.ip(),
              session,
              apiType,
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
          // A quarter of the calls come from the integration's Apex side, on the same session:
          // Salesforce reports their source as "Salesforce.com IP". ConnectedAppId is null on
          // some calls (the token was already active).
          boolean internal = random.nextInt(4) == 0;
          out.add(
              make.apiQuery(
                  t,
                  user,
                  internal ? "Salesforce.com IP" : integration.egressIp(),
                  session,
                  internal ? "SOAP Enterprise" : "REST",
                  integration.appName(),
                  random.nextInt(10) == 0 ? null : integration.connectedAppId(),
                  PatientNames.lookup(random, object),
                  object,
                  1 + random.nextInt(20)));
        }
      }
      case "scheduling" -> {
        schedulingReports(integration, start, end, session, new Random(random.nextLong()), out);
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
        for (int pull = 0; pull < 20 && t < end - 10 * MINUTE; pull++) {
          long rows = 2_000 + random.nextInt(8_000);
          if (pull % 2 == 0) {
            // A Bulk API pull: one event, no RowsReturned (Records is null for Bulk queries).
            SimEvent bulk =
                make.apiQuery(
                    t,
                    user,
                    integration.egressIp(),
                    session,
                    "Bulk",
                    integration.appName(),
                    integration.connectedAppId(),
                    ETL_QUERY,
                    "Patient_Record__c",
                    rows);
            bulk.record().put("RowsReturned", null);
            out.add(bulk);
            // The job's results are downloaded a little later, inside the run window.
            out.add(
                make.bulkApiResult(t + 45_000, user, integration.egressIp(), session, ETL_QUERY));
          } else {
            // A SOAP query paged in 2,000-row batches: Query, then QueryMore, 30 s apart; every
            // batch carries the query's total in RowsProcessed, its own rows in RowsReturned.
            long left = rows;
            for (int b = 0; left > 0; b++) {
              long batch = Math.min(2_000, left);
              SimEvent page =
                  make.apiQuery(
                      t + b * 30_000L,
                      user,
                      integration.egressIp(),
                      session,
                      "SOAP Partner",
                      integration.appName(),
                      integration.connectedAppId(),
                      ETL_QUERY,
                      "Patient_Record__c",
                      rows);
              page.record().put("Operation", b == 0 ? "Query" : "QueryMore");
              page.record().put("RowsReturned", (double) batch);
              out.add(page);
              left -= batch;
            }
          }
          t += 6 * MINUTE + random.nextInt((int) (4 * MINUTE));
        }
      }
      default -> {}
    }
  }

  /**
   * A clinician's or scheduler's list-view runs over their patients (ListViewEventStream records
   * runs: one to four a shift, a page of 5–50 rows, never more than a person may read in bulk).
   * Default list views carry a blank ListViewId and Name. Drawn from the user's and day's own seed,
   * not the day's random stream, so the rest of the background traffic stays as it was.
   */
  private static void listViewRuns(
      SimUser user,
      long dayStart,
      long shiftStart,
      long shiftEnd,
      String session,
      List<SimEvent> out) {
    Random random = new Random(user.id().hashCode() * 31L + dayStart);
    EventFactory make = new EventFactory(random, null);
    int runs = 1 + random.nextInt(4);
    for (int v = 0; v < runs; v++) {
      SimEvent run =
          make.listView(
              between(random, shiftStart, shiftEnd),
              user,
              user.ip(),
              session,
              "My patients",
              "Name,Birthdate,Phone,MailingCity",
              "Contact",
              5 + random.nextInt(46),
              null);
      if (random.nextInt(3) == 0) {
        run.record().put("ListViewId", "");
        run.record().put("Name", "");
      }
      out.add(run);
    }
  }

  /**
   * The scheduling integration runs tomorrow's-appointments report through the Reports REST API
   * each hour of its window: declared objects, inside its window.
   */
  private static void schedulingReports(
      SimIntegration integration,
      long start,
      long end,
      String session,
      Random random,
      List<SimEvent> out) {
    EventFactory make = new EventFactory(random, null);
    for (long t = start + 30 * MINUTE; t < end - 30 * MINUTE; t += 60 * MINUTE) {
      SimEvent run =
          make.report(
              t + random.nextInt(60_000),
              integration.user(),
              integration.egressIp(),
              session,
              "00O5f000000SchRpt",
              "Tomorrow's appointments (API)",
              "Appointment__c.Start__c,Contact.Name",
              "Appointment__c,Contact",
              20 + random.nextInt(80),
              null);
      run.record().put("Operation", "ReportRunFromRestApi");
      run.record().put("EventSource", "API");
      out.add(run);
    }
  }

  private static long between(Random random, long from, long to) {
    return from + (long) (random.nextDouble() * Math.max(1, to - from));
  }
}
