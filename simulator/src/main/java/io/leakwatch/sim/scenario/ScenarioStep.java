package io.leakwatch.sim.scenario;

import io.leakwatch.sim.traffic.EventFactory;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.PatientNames;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.ThreatScale;
import java.time.Duration;
import java.time.LocalTime;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;

/**
 * One step of a scenario file: an event kind, who does it and when (a time of day in the org's
 * zone, optionally repeated and on earlier working days), and the Salesforce fields it carries.
 */
record ScenarioStep(
    Kind kind,
    String actor,
    LocalTime at,
    int repeat,
    Duration every,
    Duration jitter,
    String session,
    String from,
    int previousWorkdays,
    boolean leak,
    Map<String, Object> fields) {

  /**
   * What a step can be; each maps to one Real-Time Event Monitoring or Threat Detection channel.
   */
  enum Kind {
    API(EventSchemas.API),
    REPORT(EventSchemas.REPORT),
    LIST_VIEW(EventSchemas.LIST_VIEW),
    LOGIN(EventSchemas.LOGIN),
    PERMISSION_SET(EventSchemas.PERMISSION_SET),
    SESSION_HIJACKING(EventSchemas.SESSION_HIJACKING),
    CREDENTIAL_STUFFING(EventSchemas.CREDENTIAL_STUFFING),
    API_ANOMALY(EventSchemas.API_ANOMALY),
    REPORT_ANOMALY(EventSchemas.REPORT_ANOMALY),
    LIGHTNING_URI(EventSchemas.LIGHTNING_URI),
    URI(EventSchemas.URI),
    FILE(EventSchemas.FILE),
    LOGIN_AS(EventSchemas.LOGIN_AS),
    BULK_API_RESULT(EventSchemas.BULK_API_RESULT),
    LOGIN_ANOMALY(EventSchemas.LOGIN_ANOMALY),
    GUEST_USER_ANOMALY(EventSchemas.GUEST_USER_ANOMALY);

    final String topic;

    Kind(String topic) {
      this.topic = topic;
    }

    static final String NAMES =
        "api, report, listView, login, permissionSet, sessionHijacking, credentialStuffing,"
            + " apiAnomaly, reportAnomaly, lightningUri, uri, file, loginAs, bulkApiResult,"
            + " loginAnomaly, guestUserAnomaly";

    static Kind parse(String text) {
      String upper = text.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(java.util.Locale.ROOT);
      return Kind.valueOf(upper);
    }
  }

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]+)}");

  /**
   * Fills {@code {i}} (the repetition, from 0), {@code {i*N}}, {@code {patientLookup OBJECT}} (a
   * query for one patient by name: the kind of literal Leakwatch must never repeat), {@code {userId
   * ACTOR}} and {@code {randomId PREFIX}}.
   */
  static String render(
      String template, int i, Random random, Function<String, String> userIdOf, String where) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String expr = m.group(1).trim();
      String value;
      if (expr.equals("i")) {
        value = Integer.toString(i);
      } else if (expr.matches("i\\s*\\*\\s*\\d+")) {
        value = Long.toString((long) i * Long.parseLong(expr.replaceAll("[^0-9]", "")));
      } else if (expr.startsWith("patientLookup ")) {
        value = PatientNames.lookup(random, expr.substring("patientLookup ".length()).trim());
      } else if (expr.startsWith("userId ")) {
        value = userIdOf.apply(expr.substring("userId ".length()).trim());
      } else if (expr.startsWith("randomId ")) {
        value =
            expr.substring("randomId ".length()).trim()
                + Long.toString(random.nextLong() & 0xffffffffL, 36);
      } else {
        throw new ScenarioException(
            where,
            null,
            "unknown placeholder {"
                + expr
                + "} (known: {i}, {i*N}, {patientLookup OBJECT}, "
                + "{userId ACTOR}, {randomId PREFIX})");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * Builds one event with the factory's defaults for its kind, then sets every field the step
   * names.
   */
  SimEvent build(
      EventFactory make,
      long time,
      Actor.Resolved who,
      String ip,
      String sessionKey,
      Map<String, Object> values,
      Random random,
      String where) {
    var integration = who.integration();
    SimEvent event =
        switch (kind) {
          case API ->
              make.apiQuery(
                  time,
                  who.user(),
                  ip,
                  sessionKey,
                  text(values, "ApiType", "REST"),
                  text(
                      values,
                      "Application",
                      integration != null ? integration.appName() : "Clinic Desktop"),
                  text(
                      values,
                      "ConnectedAppId",
                      integration != null ? integration.connectedAppId() : null),
                  text(values, "Query", ""),
                  text(values, "QueriedEntities", ""),
                  number(values, "RowsProcessed", 0));
          case REPORT ->
              make.report(
                  time,
                  who.user(),
                  ip,
                  sessionKey,
                  text(values, "ReportId", "00O" + Long.toString(random.nextLong() & 0xffffff, 36)),
                  text(values, "Name", "Report"),
                  text(values, "ColumnHeaders", ""),
                  text(values, "QueriedEntities", ""),
                  number(values, "RowsProcessed", 0),
                  text(values, "ExportFileFormat", null));
          case LIST_VIEW ->
              make.listView(
                  time,
                  who.user(),
                  ip,
                  sessionKey,
                  text(values, "Name", "List view"),
                  text(values, "ColumnHeaders", ""),
                  text(values, "QueriedEntities", ""),
                  number(values, "RowsProcessed", 0),
                  text(values, "ExportFileFormat", null));
          case LOGIN ->
              make.login(
                  time,
                  who.user(),
                  ip,
                  sessionKey,
                  text(
                      values,
                      "LoginType",
                      integration != null ? "Remote Access 2.0" : "Application"),
                  text(
                      values,
                      "Application",
                      integration != null ? integration.appName() : "Browser"),
                  text(values, "UserType", "Standard"),
                  text(values, "Status", "Success"));
          case PERMISSION_SET ->
              make.permissionSet(
                  time,
                  who.user(),
                  ip,
                  sessionKey,
                  text(values, "Operation", "PermissionSetAssignment"),
                  text(values, "PermissionType", "UserPermission"),
                  text(values, "PermissionList", ""),
                  text(
                      values,
                      "ParentIdList",
                      "0PS" + Long.toString(random.nextLong() & 0xffffff, 36)),
                  text(values, "ParentNameList", ""),
                  text(values, "ImpactedUserIds", null));
          case LIGHTNING_URI ->
              // A one-event batch unless the step says otherwise: EventDate is when the server
              // received the batch, PageStartTime when the page was opened.
              make.lightningUri(
                  time,
                  time - 2_000,
                  who.user(),
                  ip,
                  sessionKey,
                  text(values, "Operation", "Read"),
                  text(values, "RecordId", make.recordId("003")),
                  text(values, "QueriedEntities", "Contact"));
          case URI ->
              make.uri(
                  time,
                  who.user(),
                  ip,
                  sessionKey,
                  text(values, "Operation", "Read"),
                  text(values, "RecordId", make.recordId("003")),
                  text(values, "QueriedEntities", "Contact"));
          case FILE ->
              make.file(
                  time,
                  who.user(),
                  ip,
                  sessionKey,
                  text(values, "FileAction", "UI_DOWNLOAD"),
                  text(values, "FileName", "Document.pdf"),
                  text(values, "FileType", "PDF"),
                  (int) number(values, "ContentSize", 120_000));
          case LOGIN_AS -> {
            // The actor is the admin (DelegatedUsername); the step's UserId field names the user
            // logged in as.
            SimEvent loginAs =
                make.loginAs(time, who.user(), who.user(), ip, sessionKey, "Support");
            loginAs.record().put("Username", null);
            yield loginAs;
          }
          case BULK_API_RESULT ->
              make.bulkApiResult(time, who.user(), ip, sessionKey, text(values, "Query", ""));
          default ->
              make.threat(
                  kind.topic,
                  time,
                  who.user(),
                  ip,
                  sessionKey,
                  values.get("Score") instanceof Number n
                      ? n.doubleValue()
                      : ThreatScale.of(kind.topic).typical(),
                  text(values, "Summary", ""));
        };
    Schema schema = event.record().getSchema();
    values.forEach(
        (name, value) ->
            event
                .record()
                .put(
                    name,
                    convert(schema.getField(name).schema(), value, where + ".fields." + name)));
    return event;
  }

  /** Checks at load time that every field exists on the step's channel. */
  void validate(String origin, String at) {
    Schema schema = EventSchemas.standard().schema(kind.topic);
    fields
        .keySet()
        .forEach(
            name -> {
              if (schema.getField(name) == null) {
                throw new ScenarioException(
                    origin, at + ".fields." + name, "not a field of " + kind.topic);
              }
            });
  }

  private static String text(Map<String, Object> values, String name, String fallback) {
    Object value = values.get(name);
    return value == null ? fallback : value.toString();
  }

  private static long number(Map<String, Object> values, String name, long fallback) {
    Object value = values.get(name);
    return value instanceof Number n ? n.longValue() : fallback;
  }

  private static Object convert(Schema schema, Object value, String where) {
    if (value == null) {
      return null;
    }
    Schema type = schema;
    if (schema.getType() == Schema.Type.UNION) {
      type =
          schema.getTypes().stream()
              .filter(s -> s.getType() != Schema.Type.NULL)
              .findFirst()
              .orElse(schema);
    }
    try {
      return switch (type.getType()) {
        case LONG -> value instanceof Number n ? n.longValue() : Long.parseLong(value.toString());
        case INT -> value instanceof Number n ? n.intValue() : Integer.parseInt(value.toString());
        case DOUBLE ->
            value instanceof Number n ? n.doubleValue() : Double.parseDouble(value.toString());
        case BOOLEAN -> value instanceof Boolean b ? b : Boolean.parseBoolean(value.toString());
        default -> value.toString();
      };
    } catch (NumberFormatException e) {
      throw new ScenarioException(
          where, null, "'" + value + "' is not a " + type.getType().getName());
    }
  }
}
