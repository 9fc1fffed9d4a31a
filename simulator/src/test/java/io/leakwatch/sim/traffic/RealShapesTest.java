package io.leakwatch.sim.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.pubsub.PayloadDecoder;
import io.leakwatch.pubsub.SchemaCache;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.scenario.ScenarioFile;
import io.leakwatch.sim.scenario.Scenarios;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.Predicate;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * The simulated org's background traffic has the shapes a real org's has (salesforce-events.md).
 */
class RealShapesTest {
  private static final List<SimEvent> DAY =
      new TrafficGenerator(SimulatedOrg.generate(7, 400)).day(LocalDate.of(2026, 3, 10));

  private static long count(String topic, Predicate<GenericRecord> test) {
    return DAY.stream()
        .filter(e -> e.topic().equals(topic))
        .map(SimEvent::record)
        .filter(test)
        .count();
  }

  private static String text(GenericRecord r, String field) {
    Object value = r.get(field);
    return value == null ? null : value.toString();
  }

  /** Each Threat Detection type's Score range as salesforce-events.md §7 prints it. */
  private static final Map<String, double[]> DOCUMENTED_SCORES =
      Map.of(
          EventSchemas.SESSION_HIJACKING, new double[] {0, 1},
          EventSchemas.API_ANOMALY, new double[] {0, 1},
          EventSchemas.CREDENTIAL_STUFFING, new double[] {1, 1},
          EventSchemas.REPORT_ANOMALY, new double[] {0, 100},
          EventSchemas.GUEST_USER_ANOMALY, new double[] {0, 1},
          // Its scale is not printed; the engine (and events.epl) read it as 0-1.
          EventSchemas.LOGIN_ANOMALY, new double[] {0, 1});

  @Test
  void everyThreatEventScoresOnItsOwnTypesScale() {
    // One step of each Threat Detection kind naming no Score, plus every built-in scenario.
    StringBuilder yaml =
        new StringBuilder(
            "id: threats\ntitle: t\nexpect: [LW-012]\nactors:\n  a: {role: clinician, pick: 1}\n"
                + "steps:\n");
    for (String kind :
        List.of(
            "sessionHijacking",
            "apiAnomaly",
            "credentialStuffing",
            "reportAnomaly",
            "loginAnomaly",
            "guestUserAnomaly")) {
      yaml.append("  - event: ").append(kind).append("\n    actor: a\n    at: \"13:00\"\n");
    }
    SimulatedOrg org = SimulatedOrg.generate(7, 400);
    LocalDate day = LocalDate.of(2026, 3, 10);
    List<SimEvent> threats = new ArrayList<>();
    threats.addAll(
        ScenarioFile.parse(yaml.toString(), "threats.yaml").events(org, day, new Random(1)));
    Scenarios.all().forEach(s -> threats.addAll(s.events(org, day, new Random(1))));
    threats.addAll(DAY);
    threats.removeIf(e -> !EventSchemas.THREAT_DETECTION.contains(e.topic()));
    assertEquals(
        DOCUMENTED_SCORES.size(),
        threats.stream().map(SimEvent::topic).distinct().count(),
        "every type is made");
    for (SimEvent threat : threats) {
      double score = (double) threat.record().get("Score");
      double[] range = DOCUMENTED_SCORES.get(threat.topic());
      assertTrue(
          score >= range[0] && score <= range[1],
          threat.topic() + " Score " + score + " outside " + range[0] + "-" + range[1]);
    }
  }

  @Test
  void queryMoreBatchesCarryTheQueryTotal() {
    assertTrue(
        count(
                EventSchemas.API,
                r ->
                    "QueryMore".equals(text(r, "Operation"))
                        && (double) r.get("RowsProcessed") > (double) r.get("RowsReturned"))
            > 0);
    assertTrue(
        count(
                EventSchemas.API,
                r -> "Bulk".equals(text(r, "ApiType")) && r.get("RowsReturned") == null)
            > 0);
  }

  @Test
  void internalCallsNullKeysAndBothApiTypeSpellings() {
    assertTrue(count(EventSchemas.API, r -> "Salesforce.com IP".equals(text(r, "SourceIp"))) > 0);
    assertTrue(count(EventSchemas.API, r -> r.get("SessionKey") == null) > 0);
    assertTrue(count(EventSchemas.API, r -> "REST API".equals(text(r, "ApiType"))) > 0);
    assertTrue(count(EventSchemas.API, r -> "REST".equals(text(r, "ApiType"))) > 0);
  }

  @Test
  void listViewRunsOfPatientsSomeDefaultViewsWithoutIdOrName() {
    // ListViewEventStream records runs; ListViewId and Name are blank for default list views.
    long runs = count(EventSchemas.LIST_VIEW, r -> "Contact".equals(text(r, "QueriedEntities")));
    long defaults = count(EventSchemas.LIST_VIEW, r -> "".equals(text(r, "ListViewId")));
    assertTrue(runs > 100, "people run patient list views every day: " + runs);
    assertTrue(defaults > 0 && defaults < runs, "some of them default views: " + defaults);
    assertEquals(
        0, count(EventSchemas.LIST_VIEW, r -> (double) r.get("RowsProcessed") > 50), "a page each");
  }

  @Test
  void aFewLoginsCarryNoGeolocation() {
    long logins = count(EventSchemas.LOGIN, r -> "Application".equals(text(r, "LoginType")));
    long notPlaced =
        count(
            EventSchemas.LOGIN,
            r -> "Application".equals(text(r, "LoginType")) && r.get("CountryIso") == null);
    assertTrue(notPlaced > 0, "some logins are not geolocated");
    assertTrue(notPlaced * 10 < logins, "most are");
  }

  @Test
  void lightningViewsArriveInBatchesStampedWhenTheServerReceivedThem() {
    Map<String, Integer> perStamp = new HashMap<>();
    DAY.stream()
        .filter(e -> e.topic().equals(EventSchemas.LIGHTNING_URI))
        .forEach(
            e -> perStamp.merge(text(e.record(), "UserId") + "@" + e.eventDate(), 1, Integer::sum));
    assertTrue(perStamp.values().stream().anyMatch(n -> n > 1), "several views share EventDate");
    assertTrue(
        count(
                EventSchemas.LIGHTNING_URI,
                r -> (long) r.get("PageStartTime") < (long) r.get("EventDate"))
            > 0,
        "a view is opened before its batch reaches the server");
    assertTrue(count(EventSchemas.LIGHTNING_URI, r -> "Update".equals(text(r, "Operation"))) > 0);
    assertTrue(count(EventSchemas.URI, r -> "Read".equals(text(r, "Operation"))) > 0);
  }

  @Test
  void filesArePreviewedMoreThanDownloadedAndApiDownloadsMayLackADocumentId() {
    long previews = count(EventSchemas.FILE, r -> "PREVIEW".equals(text(r, "FileAction")));
    long downloads = count(EventSchemas.FILE, r -> "UI_DOWNLOAD".equals(text(r, "FileAction")));
    assertTrue(previews > downloads && downloads > 0, previews + " previews, " + downloads);
    assertTrue(count(EventSchemas.FILE, r -> r.get("ContentSize") instanceof Integer) > 0);
  }

  @Test
  void loginAsNamesTheAdminAndBulkResultsFollowTheEtlPulls() {
    assertTrue(
        count(
                EventSchemas.LOGIN_AS,
                r ->
                    text(r, "DelegatedUsername") != null
                        && !text(r, "DelegatedUsername").equals(text(r, "Username")))
            > 0);
    assertTrue(count(EventSchemas.BULK_API_RESULT, r -> text(r, "Query") != null) > 0);
    assertTrue(
        count(EventSchemas.REPORT, r -> "ReportRunFromRestApi".equals(text(r, "Operation"))) > 0);
  }

  @Test
  void asynchronousReportExportsCarryNoSessionLoginKeyOrAddress() {
    Predicate<GenericRecord> async =
        r -> "ReportExportedAsynchronously".equals(text(r, "Operation"));
    assertTrue(count(EventSchemas.REPORT, async) > 0, "admins export in the background");
    assertEquals(
        0,
        count(
            EventSchemas.REPORT,
            async.and(
                r ->
                    r.get("SessionKey") != null
                        || r.get("LoginKey") != null
                        || r.get("SourceIp") != null)));
    assertTrue(
        count(EventSchemas.REPORT, async.and(r -> Boolean.TRUE.equals(r.get("IsScheduled")))) > 0,
        "some run on a schedule");
    // No rows, no objects: QueriedEntities is null exactly when the run found nothing.
    assertEquals(
        0,
        count(
            EventSchemas.REPORT,
            async.and(
                r ->
                    (r.get("QueriedEntities") == null)
                        != (((Number) r.get("RowsProcessed")).doubleValue() == 0))));
  }

  @Test
  void reportsArriveInChunksOfOneExecution() {
    Map<String, Integer> chunks = new HashMap<>();
    DAY.stream()
        .filter(e -> e.topic().equals(EventSchemas.REPORT))
        .forEach(e -> chunks.merge(text(e.record(), "ExecutionIdentifier"), 1, Integer::sum));
    assertTrue(chunks.values().stream().anyMatch(n -> n > 1), chunks.toString());
  }

  @Test
  void permissionChangesUseTheDocumentedForms() {
    assertTrue(
        count(EventSchemas.PERMISSION_SET, r -> text(r, "PermissionList").startsWith("[")) > 0);
    assertTrue(
        count(EventSchemas.PERMISSION_SET, r -> "PermsDisabled".equals(text(r, "Operation"))) > 0);
    // An assignment fires the event only for a set holding a critical permission: routine sets
    // are edited (PermsEnabled), never seen assigned.
    assertEquals(
        0,
        count(
            EventSchemas.PERMISSION_SET,
            r ->
                "AssignedToUsers".equals(text(r, "Operation"))
                    && text(r, "PermissionList").contains("RunReports")));
    assertTrue(
        count(EventSchemas.PERMISSION_SET, r -> r.get("UserCount") instanceof CharSequence) > 0);
  }

  @Test
  void apiEventChangesSchemaAtNoonAndDecodesUnderItsNewId() throws Exception {
    EventSchemas schemas = EventSchemas.standard();
    SimEvent afternoon =
        DAY.stream()
            .filter(e -> e.topic().equals(EventSchemas.API))
            .filter(e -> schemas.asPublished(e) != e.record())
            .findFirst()
            .orElseThrow();
    SimEvent morning =
        DAY.stream()
            .filter(e -> e.topic().equals(EventSchemas.API))
            .filter(e -> schemas.asPublished(e) == e.record())
            .findFirst()
            .orElseThrow();
    GenericRecord published = schemas.asPublished(afternoon);
    String newId = schemas.idOf(published.getSchema());
    assertNotEquals(schemas.schemaId(EventSchemas.API), newId);
    assertEquals(schemas.schemaId(EventSchemas.API), schemas.idOf(morning.record().getSchema()));
    PayloadDecoder decoder =
        new PayloadDecoder(
            new SchemaCache(id -> Objects.requireNonNull(schemas.byId(id)).toString()));
    GenericRecord decoded = decoder.decode(newId, EventSchemas.encode(published));
    assertEquals(
        afternoon.record().get("EventIdentifier").toString(),
        decoded.get("EventIdentifier").toString());
    assertNull(decoded.get("ActionName"));
    assertTrue(decoded.getSchema().getField("PlannerId") != null);
  }
}
