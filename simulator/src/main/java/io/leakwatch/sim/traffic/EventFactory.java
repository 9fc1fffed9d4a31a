package io.leakwatch.sim.traffic;

import io.leakwatch.sim.org.SimUser;
import java.util.Random;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Builds Real-Time Event Monitoring records with Salesforce's field names and types. Every id comes
 * from the given {@link Random}, so the same seed gives byte-identical events.
 */
public final class EventFactory {
  private final EventSchemas schemas = EventSchemas.standard();
  private final Random random;
  private final String scenarioId;

  /**
   * @param scenarioId tags every event made (null for background traffic)
   */
  public EventFactory(Random random, String scenarioId) {
    this.random = random;
    this.scenarioId = scenarioId;
  }

  private GenericRecord common(
      String topic, long time, SimUser user, String ip, String sessionKey) {
    return common(schemas.schema(topic), time, user, ip, sessionKey);
  }

  private GenericRecord common(
      Schema schema, long time, SimUser user, String ip, String sessionKey) {
    GenericRecord record = new GenericData.Record(schema);
    record.put("CreatedDate", time + 150 + random.nextInt(500));
    record.put("CreatedById", user.id());
    record.put("EventDate", time);
    record.put("EventIdentifier", uuid());
    record.put("EventUuid", uuid());
    record.put("UserId", user.id());
    record.put("Username", user.username());
    record.put("SourceIp", ip);
    record.put("SessionKey", sessionKey);
    record.put("LoginKey", sessionKey == null ? null : "lk-" + sessionKey);
    record.put("SessionLevel", "STANDARD");
    return record;
  }

  private SimEvent event(String topic, long time, GenericRecord record) {
    return new SimEvent(topic, time, record.get("EventIdentifier").toString(), record, scenarioId);
  }

  /** An API query: who, through which app, what SOQL, which objects, how many rows. */
  public SimEvent apiQuery(
      long time,
      SimUser user,
      String ip,
      String sessionKey,
      String apiType,
      String application,
      String connectedAppId,
      String query,
      String queriedEntities,
      long rows) {
    GenericRecord r = common(EventSchemas.API, time, user, ip, sessionKey);
    r.put("ApiType", apiType);
    r.put("ApiVersion", 62.0);
    r.put("Application", application);
    r.put("Client", application);
    r.put("ConnectedAppId", connectedAppId);
    r.put("Operation", "Query");
    r.put("Query", query);
    r.put("QueriedEntities", queriedEntities);
    r.put("RowsProcessed", (double) rows);
    r.put("RowsReturned", (double) rows);
    r.put("ElapsedTime", 20 + random.nextInt(400));
    r.put("UserAgent", application + "/1.0");
    r.put("RequestIdentifier", "TID:" + Long.toHexString(random.nextLong()));
    r.put("Platform", "Unknown");
    return event(EventSchemas.API, time, r);
  }

  public SimEvent report(
      long time,
      SimUser user,
      String ip,
      String sessionKey,
      String reportId,
      String name,
      String columns,
      String entities,
      long rows,
      String exportFormat) {
    return reportChunk(
        time,
        user,
        ip,
        sessionKey,
        reportId,
        name,
        columns,
        entities,
        rows,
        exportFormat,
        uuid(),
        1);
  }

  /**
   * One chunk of a report execution: a large result arrives as several events sharing {@code
   * executionId}, ordered by {@code sequence}, each carrying the execution's total rows.
   */
  public SimEvent reportChunk(
      long time,
      SimUser user,
      String ip,
      String sessionKey,
      String reportId,
      String name,
      String columns,
      String entities,
      long rows,
      String exportFormat,
      String executionId,
      int sequence) {
    GenericRecord r = common(EventSchemas.REPORT, time, user, ip, sessionKey);
    r.put("ReportId", reportId);
    r.put("Name", name);
    r.put("Operation", exportFormat == null ? "ReportRunFromLightning" : "ReportExported");
    r.put("EventSource", "Lightning");
    r.put("ColumnHeaders", columns);
    r.put("DisplayedFieldEntities", entities);
    r.put("ExportFileFormat", exportFormat);
    r.put("Format", "Tabular");
    r.put("IsScheduled", false);
    r.put("NumberOfColumns", columns.split(",").length);
    r.put("QueriedEntities", entities);
    r.put("RowsProcessed", (double) rows);
    r.put("Scope", "organization");
    r.put("ExecutionIdentifier", executionId);
    r.put("Sequence", sequence);
    return event(EventSchemas.REPORT, time, r);
  }

  /**
   * A list-view run with the objects and rows it covered. ListViewEventStream has no
   * ExportFileFormat field; {@code exportFormat} is ignored unless the schema carries one.
   */
  public SimEvent listView(
      long time,
      SimUser user,
      String ip,
      String sessionKey,
      String name,
      String columns,
      String entities,
      long rows,
      String exportFormat) {
    GenericRecord r = common(EventSchemas.LIST_VIEW, time, user, ip, sessionKey);
    r.put("ListViewId", "00B" + Long.toString(random.nextLong() & 0xffffff, 36));
    r.put("Name", name);
    r.put("EventSource", "Lightning");
    r.put("ColumnHeaders", columns);
    r.put("NumberOfColumns", columns.split(",").length);
    r.put("QueriedEntities", entities);
    r.put("RowsProcessed", (double) rows);
    r.put("Scope", "everything");
    if (r.getSchema().getField("ExportFileFormat") != null) {
      r.put("ExportFileFormat", exportFormat);
    }
    r.put("ExecutionIdentifier", uuid());
    r.put("Sequence", 1);
    return event(EventSchemas.LIST_VIEW, time, r);
  }

  public SimEvent login(
      long time,
      SimUser user,
      String ip,
      String sessionKey,
      String loginType,
      String application,
      String userType,
      String status) {
    GenericRecord r = common(EventSchemas.LOGIN, time, user, ip, sessionKey);
    r.put("Status", status);
    r.put("LoginType", loginType);
    r.put("LoginUrl", "login.salesforce.com");
    r.put("Application", application);
    r.put("Browser", loginType.startsWith("Remote") ? "Unknown" : "Chrome 131");
    r.put("Platform", loginType.startsWith("Remote") ? "Unknown" : "Windows 11");
    r.put("ApiType", loginType.startsWith("Remote") ? "REST" : null);
    r.put("ApiVersion", loginType.startsWith("Remote") ? "62.0" : null);
    r.put("Country", "United States");
    r.put("CountryIso", "US");
    r.put("City", null);
    r.put("TlsProtocol", "TLS 1.3");
    r.put("CipherSuite", "TLS_AES_256_GCM_SHA384");
    r.put("HttpMethod", "POST");
    r.put("UserType", userType);
    // An 18-character record id, as LoginHistory.Id is (the poll reads the same login there).
    String serial = Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
    r.put("LoginHistoryId", "0Ya" + "0".repeat(13 - serial.length()) + serial + "AA");
    return event(EventSchemas.LOGIN, time, r);
  }

  public SimEvent permissionSet(
      long time,
      SimUser admin,
      String ip,
      String sessionKey,
      String operation,
      String permissionType,
      String permissions,
      String parentId,
      String parentName,
      String impactedUserIds) {
    GenericRecord r = common(EventSchemas.PERMISSION_SET, time, admin, ip, sessionKey);
    r.put("Operation", operation);
    r.put("EventSource", "Setup");
    r.put("PermissionType", permissionType);
    r.put("PermissionList", permissions);
    r.put("ParentIdList", parentId);
    r.put("ParentNameList", parentName);
    r.put("ImpactedUserIds", impactedUserIds);
    // A string in the docs, like the schema here.
    r.put(
        "UserCount",
        String.valueOf(impactedUserIds == null ? 0 : impactedUserIds.split(",").length));
    r.put("HasExternalUsers", false);
    return event(EventSchemas.PERMISSION_SET, time, r);
  }

  /**
   * A Threat Detection event (ApiAnomaly, SessionHijacking, …) about a user's session, with its
   * score.
   */
  public SimEvent threat(
      String topic,
      long time,
      SimUser user,
      String ip,
      String sessionKey,
      double score,
      String summary) {
    GenericRecord r = common(topic, time, user, ip, sessionKey);
    r.put("Score", score);
    r.put("Summary", summary);
    r.put("SecurityEventData", "{\"model\":\"leakwatch-simulator\"}");
    if (topic.equals(EventSchemas.SESSION_HIJACKING)) {
      r.put("CurrentIp", ip);
      r.put("PreviousIp", user.ip());
      r.put("CurrentPlatform", "Linux");
      r.put("PreviousPlatform", "Windows 11");
    }
    return event(topic, time, r);
  }

  /**
   * A record opened, created or edited in Lightning Experience. The browser sends these in batches:
   * {@code receivedAt} (EventDate) is when the server received the batch, {@code viewedAt}
   * (PageStartTime) when the page was opened.
   */
  public SimEvent lightningUri(
      long receivedAt,
      long viewedAt,
      SimUser user,
      String ip,
      String sessionKey,
      String operation,
      String recordId,
      String entity) {
    GenericRecord r = common(EventSchemas.LIGHTNING_URI, receivedAt, user, ip, sessionKey);
    r.put("Operation", operation);
    r.put("RecordId", recordId);
    r.put("QueriedEntities", entity);
    r.put("PageUrl", "/lightning/r/" + entity + "/" + recordId + "/view");
    r.put("AppName", "one:one");
    r.put("PageStartTime", viewedAt);
    r.put("Duration", (double) Math.max(0, receivedAt - viewedAt));
    r.put("EffectivePageTime", (double) (300 + random.nextInt(2_000)));
    r.put("DeviceSessionId", uuid());
    r.put("DevicePlatform", "SFX:BROWSER:DESKTOP");
    r.put("UserType", "Standard");
    return event(EventSchemas.LIGHTNING_URI, receivedAt, r);
  }

  /** A record opened or edited in Salesforce Classic. */
  public SimEvent uri(
      long time,
      SimUser user,
      String ip,
      String sessionKey,
      String operation,
      String recordId,
      String entity) {
    GenericRecord r = common(EventSchemas.URI, time, user, ip, sessionKey);
    r.put("Operation", operation);
    r.put("OperationStatus", "SUCCESS");
    r.put("RecordId", recordId);
    r.put("QueriedEntities", entity);
    r.put("UserType", "Standard");
    return event(EventSchemas.URI, time, r);
  }

  /**
   * A file downloaded, previewed or uploaded ({@code action}: API_DOWNLOAD, UI_DOWNLOAD, PREVIEW,
   * UPLOAD). DocumentId is sometimes empty for API_DOWNLOAD, as the docs warn.
   */
  public SimEvent file(
      long time,
      SimUser user,
      String ip,
      String sessionKey,
      String action,
      String fileName,
      String fileType,
      int contentSize) {
    GenericRecord r = common(EventSchemas.FILE, time, user, ip, sessionKey);
    r.put("FileAction", action);
    r.put("FileName", fileName);
    r.put("FileType", fileType);
    r.put("FileSource", "S");
    r.put("ContentSize", contentSize);
    boolean noDocument = action.equals("API_DOWNLOAD") && random.nextInt(5) == 0;
    r.put("DocumentId", noDocument ? null : recordId("069"));
    r.put("VersionId", recordId("068"));
    r.put("VersionNumber", "1");
    r.put("CanDownloadPdf", false);
    r.put("IsLatestVersion", true);
    return event(EventSchemas.FILE, time, r);
  }

  /**
   * An admin logging in as {@code target}: UserId is the target, DelegatedUsername the admin. The
   * session that follows is the target's, under {@code sessionKey}.
   */
  public SimEvent loginAs(
      long time, SimUser target, SimUser admin, String ip, String sessionKey, String category) {
    GenericRecord r = common(EventSchemas.LOGIN_AS, time, target, ip, sessionKey);
    r.put("CreatedById", admin.id());
    r.put("DelegatedUsername", admin.username());
    r.put("DelegatedOrganizationId", null);
    r.put("LoginAsCategory", category);
    r.put("TargetUrl", "/lightning/page/home");
    r.put("LoginType", "Application");
    r.put("Application", "Browser");
    r.put("Browser", "Chrome 131");
    r.put("Platform", "Windows 11");
    r.put("UserType", "Standard");
    return event(EventSchemas.LOGIN_AS, time, r);
  }

  /** A download of Bulk API results: the job's SOQL, no row count. */
  public SimEvent bulkApiResult(
      long time, SimUser user, String ip, String sessionKey, String query) {
    GenericRecord r = common(EventSchemas.BULK_API_RESULT, time, user, ip, sessionKey);
    r.put("Query", query);
    r.put("LoginHistoryId", "0Ya" + Long.toHexString(random.nextLong()).substring(0, 8));
    return event(EventSchemas.BULK_API_RESULT, time, r);
  }

  /** An 18-character id with this key prefix (003 Contact, 069 ContentDocument, …). */
  public String recordId(String keyPrefix) {
    StringBuilder id = new StringBuilder(keyPrefix);
    String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    while (id.length() < 15) {
      id.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return io.leakwatch.sim.org.SalesforceIds.withChecksum(id.toString());
  }

  public String sessionKey() {
    return Long.toHexString(random.nextLong() | Long.MIN_VALUE);
  }

  private String uuid() {
    return new UUID(random.nextLong(), random.nextLong()).toString();
  }
}
