package io.leakwatch.sim.traffic;

import io.leakwatch.sim.org.Role;
import io.leakwatch.sim.org.SimUser;
import io.leakwatch.sim.org.SimulatedOrg;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What people do in the UI during a shift, as the UI streams show it: records opened in Lightning
 * (sent by the browser in batches, each stamped with the time the server received it), a few
 * records opened in Classic, files previewed far more often than downloaded, and now and then an
 * admin logging in as a user to troubleshoot (and reading no patient data in that session). None of
 * it is a leak.
 */
final class UiActivity {
  private static final long SECOND = 1_000;
  private static final long MINUTE = 60 * SECOND;
  private static final String[] CLINICAL_OBJECTS = {"Contact", "Patient_Record__c"};
  private static final String[] DOCUMENTS = {
    "Lab results.pdf", "Referral letter.pdf", "Discharge summary.pdf", "Consent form.pdf"
  };

  private final SimulatedOrg org;

  UiActivity(SimulatedOrg org) {
    this.org = org;
  }

  /** A patient's record id, the same for the same patient on every day. */
  static String patientRecordId(String object, int patient) {
    String prefix = object.equals("Contact") ? "003" : "a0P";
    String digits = Integer.toString(patient, 36).toUpperCase(java.util.Locale.ROOT);
    String id15 = prefix + "5f" + "0".repeat(Math.max(0, 10 - digits.length())) + digits;
    return io.leakwatch.sim.org.SalesforceIds.withChecksum(id15.substring(0, 15));
  }

  /** The UI activity of one person's shift, on the session of their login. */
  void shift(
      SimUser user,
      long shiftStart,
      long shiftEnd,
      String session,
      Random random,
      List<SimEvent> out) {
    EventFactory make = new EventFactory(random, null);
    switch (user.role()) {
      case CLINICIAN, SCHEDULER -> {
        lightningViews(user, make, random, session, shiftStart, shiftEnd, out);
        files(user, make, random, session, shiftStart, shiftEnd, out);
      }
      case CALL_CENTRE -> classicViews(user, make, random, session, shiftStart, shiftEnd, out);
      case ADMIN -> {
        if (random.nextInt(5) == 0) {
          loginAs(user, make, random, shiftStart, shiftEnd, out);
        }
      }
      default -> {}
    }
  }

  /**
   * 8–30 record pages in a shift, most of them patients', some re-opened; the browser sends them in
   * batches of 1–6, each batch stamped with the time it reached the server.
   */
  private void lightningViews(
      SimUser user,
      EventFactory make,
      Random random,
      String session,
      long from,
      long to,
      List<SimEvent> out) {
    int views = 8 + random.nextInt(23);
    List<Long> times = new ArrayList<>();
    for (int v = 0; v < views; v++) {
      times.add(from + (long) (random.nextDouble() * Math.max(1, to - from - MINUTE)));
    }
    times.sort(Long::compare);
    int panelStart = random.nextInt(Math.max(1, org.patients()));
    int v = 0;
    while (v < times.size()) {
      int batch = 1 + random.nextInt(6);
      int last = Math.min(times.size(), v + batch) - 1;
      long received = times.get(last) + 2 * SECOND + random.nextInt(20_000);
      for (int b = v; b <= last; b++) {
        boolean patient = user.role() == Role.CLINICIAN || random.nextBoolean();
        String object = patient ? CLINICAL_OBJECTS[random.nextInt(2)] : "Appointment__c";
        int who = (panelStart + random.nextInt(40)) % Math.max(1, org.patients());
        String record =
            object.equals("Appointment__c") ? make.recordId("a0A") : patientRecordId(object, who);
        String operation = random.nextInt(8) == 0 ? "Update" : "Read";
        out.add(
            make.lightningUri(
                received, times.get(b), user, user.ip(), session, operation, record, object));
      }
      v = last + 1;
    }
  }

  /** A few patient records opened in Classic (older call-centre consoles), one event each. */
  private void classicViews(
      SimUser user,
      EventFactory make,
      Random random,
      String session,
      long from,
      long to,
      List<SimEvent> out) {
    int views = random.nextInt(6);
    for (int v = 0; v < views; v++) {
      long time = from + (long) (random.nextDouble() * Math.max(1, to - from - MINUTE));
      int who = random.nextInt(Math.max(1, org.patients()));
      out.add(
          make.uri(
              time,
              user,
              user.ip(),
              session,
              "Read",
              patientRecordId("Patient_Record__c", who),
              "Patient_Record__c"));
    }
  }

  /** Previews are common; downloads of a lab PDF or a referral letter are few. */
  private static void files(
      SimUser user,
      EventFactory make,
      Random random,
      String session,
      long from,
      long to,
      List<SimEvent> out) {
    int previews = user.role() == Role.CLINICIAN ? random.nextInt(9) : random.nextInt(3);
    int downloads = user.role() == Role.CLINICIAN ? random.nextInt(3) : 0;
    for (int f = 0; f < previews + downloads; f++) {
      long time = from + (long) (random.nextDouble() * Math.max(1, to - from - MINUTE));
      out.add(
          make.file(
              time,
              user,
              user.ip(),
              session,
              f < previews ? "PREVIEW" : "UI_DOWNLOAD",
              DOCUMENTS[random.nextInt(DOCUMENTS.length)],
              "PDF",
              40_000 + random.nextInt(900_000)));
    }
  }

  /**
   * An admin logs in as a clinician or scheduler to reproduce a problem, looks at the home page and
   * a setup-adjacent record, and leaves: no patient record is read in that session.
   */
  private void loginAs(
      SimUser admin, EventFactory make, Random random, long from, long to, List<SimEvent> out) {
    List<SimUser> targets = org.people(random.nextBoolean() ? Role.SCHEDULER : Role.CLINICIAN);
    if (targets.isEmpty()) {
      return;
    }
    SimUser target = targets.get(random.nextInt(targets.size()));
    long time = from + (long) (random.nextDouble() * Math.max(1, to - from - 30 * MINUTE));
    String session = make.sessionKey();
    out.add(make.loginAs(time, target, admin, admin.ip(), session, "Support"));
    long viewed = time + 30 * SECOND + random.nextInt(60_000);
    out.add(
        make.lightningUri(
            viewed + 5 * SECOND,
            viewed,
            target,
            admin.ip(),
            session,
            "Read",
            make.recordId("005"),
            "User"));
  }
}
