package io.leakwatch.sim.traffic;

import io.leakwatch.sim.org.SimUser;
import java.util.List;
import java.util.Random;

/**
 * Report exports that run without a session: an admin's operational report exported in the
 * background (Operation ReportExportedAsynchronously, IsScheduled false) or by a schedule before
 * the shift (IsScheduled true; drawn per working day of the admin, where a real schedule would also
 * fire on days its owner is off). Salesforce leaves SessionKey, LoginKey and SourceIp null on
 * these, ExportFileFormat may be empty, and QueriedEntities is null when no rows came back
 * (salesforce-events.md §4). The reports cover appointments and cases, not patients: routine
 * exports that should never alert.
 */
final class AsyncReportExports {
  private static final long MINUTE = 60_000;
  private static final int EXPORTING_PERCENT = 25;

  // Each report keeps its id, as a real one does, so anything keyed on ReportId sees one report.
  private record OpsReport(String id, String name, String columns, String entity) {}

  private static final List<OpsReport> REPORTS =
      List.of(
          new OpsReport(
              "00O5f000004RmBkEAK",
              "Rooms booked this week",
              "Appointment__c.Name,Appointment__c.Start__c,Appointment__c.Room__c",
              "Appointment__c"),
          new OpsReport(
              "00O5f000004CsPrEAK",
              "Open cases by priority",
              "Case.Subject,Case.Status,Case.Priority",
              "Case"));

  // The format may be left empty (null or "") for asynchronous exports.
  private static final String[] FORMATS = {null, "", "CSV", "Excel"};

  private AsyncReportExports() {}

  /**
   * Now and then one export of {@code admin}'s working day: in the background during the shift, or
   * (one in three) on the report's schedule at 06:00.
   */
  static void adminDay(
      SimUser admin,
      long dayStart,
      long shiftStart,
      long shiftEnd,
      Random random,
      List<SimEvent> out) {
    if (random.nextInt(100) >= EXPORTING_PERCENT) {
      return;
    }
    boolean scheduled = random.nextInt(3) == 0;
    long time =
        scheduled
            ? dayStart + 6 * 60 * MINUTE + random.nextInt(90_000)
            : shiftStart + (long) (random.nextDouble() * Math.max(1, shiftEnd - shiftStart));
    OpsReport report = REPORTS.get(random.nextInt(REPORTS.size()));
    // A scheduled run early in the day may find nothing to export.
    long rows = scheduled && random.nextInt(4) == 0 ? 0 : 20 + random.nextInt(400);
    EventFactory make = new EventFactory(random, null);
    SimEvent export =
        make.reportChunk(
            time,
            admin,
            null,
            null,
            report.id(),
            report.name(),
            report.columns(),
            report.entity(),
            rows,
            FORMATS[random.nextInt(FORMATS.length)],
            "0Ex" + Long.toString(random.nextLong() & 0xffffffffffL, 36),
            1);
    export.record().put("Operation", "ReportExportedAsynchronously");
    export.record().put("IsScheduled", scheduled);
    if (rows == 0) {
      export.record().put("QueriedEntities", null);
    }
    out.add(export);
  }
}
