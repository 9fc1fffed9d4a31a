package io.leakwatch.sim.org;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SOQL the simulated org answers about its own setup and stored events, with the rules a real
 * org enforces where discovery depends on them: FieldDefinition must be filtered by entity, a big
 * object only by EventDate, and a field the object does not have is an INVALID_FIELD. Rows are the
 * REST API's JSON: relationship fields nest ({@code "Profile": {"Name": …}}).
 */
public final class OrgQueries {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SELECT =
      Pattern.compile(
          "SELECT\\s+(.+?)\\s+FROM\\s+(\\w+)(?:\\s+WHERE\\s+(.+?))?\\s*", Pattern.CASE_INSENSITIVE);
  private static final Pattern ENTITY_FILTER =
      Pattern.compile(
          "EntityDefinition\\.QualifiedApiName\\s+IN\\s*\\(([^)]*)\\)", Pattern.CASE_INSENSITIVE);
  private static final Pattern EVENT_DATE_RANGE =
      Pattern.compile(
          "EventDate\\s*>=\\s*(\\S+)\\s+AND\\s+EventDate\\s*<\\s*(\\S+)", Pattern.CASE_INSENSITIVE);
  private static final Set<String> OBJECTS =
      Set.of(
          "Organization",
          "BusinessHours",
          "EntityDefinition",
          "FieldDefinition",
          "User",
          "PermissionSetAssignment",
          "ConnectedApplication",
          "OauthToken",
          "ApiEvent",
          "LoginEvent",
          "ReportEvent");
  private static final List<String> DAYS =
      List.of("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday");

  /** Rows, or an error code and message (a 400 of the REST API). */
  public record Answer(List<ObjectNode> rows, String errorCode, String message) {
    static Answer error(String code, String message) {
      return new Answer(List.of(), code, message);
    }
  }

  private final String orgId;
  private final OrgMetadata metadata;
  private final StoredEvents stored;

  public OrgQueries(String orgId, OrgMetadata metadata, StoredEvents stored) {
    this.orgId = orgId;
    this.metadata = metadata;
    this.stored = stored;
  }

  public StoredEvents stored() {
    return stored;
  }

  /** Whether {@code soql} is a query of an object this org serves here. */
  public boolean answers(String soql, boolean tooling) {
    Matcher m = SELECT.matcher(soql);
    return m.matches() && OBJECTS.contains(m.group(2));
  }

  public Answer answer(String soql, boolean tooling) {
    Matcher m = SELECT.matcher(soql);
    if (!m.matches()) {
      return Answer.error("MALFORMED_QUERY", "unsupported query");
    }
    List<String> fields =
        Arrays.stream(m.group(1).split(",")).map(String::trim).filter(f -> !f.isEmpty()).toList();
    String object = m.group(2);
    String where = m.group(3) == null ? "" : m.group(3);
    List<ObjectNode> full;
    switch (object) {
      case "Organization" -> full = List.of(organization());
      case "BusinessHours" -> full = List.of(businessHours());
      case "EntityDefinition" -> full = entities();
      case "FieldDefinition" -> {
        Matcher filter = ENTITY_FILTER.matcher(where);
        if (!filter.find()) {
          return Answer.error(
              "MALFORMED_QUERY",
              "FieldDefinition must be filtered by EntityDefinition (e.g. EntityDefinition"
                  + ".QualifiedApiName IN (...))");
        }
        Set<String> wanted = Set.copyOf(literals(filter.group(1)));
        full = fieldDefinitions(wanted);
      }
      case "User" -> full = users(where.replace(" ", "").equalsIgnoreCase("IsActive=true"));
      case "PermissionSetAssignment" -> full = assignments(fields);
      case "ConnectedApplication" -> full = connectedApps();
      case "OauthToken" -> full = tokens();
      default -> {
        Matcher range = EVENT_DATE_RANGE.matcher(where);
        if (!range.matches()) {
          return Answer.error(
              "MALFORMED_QUERY",
              object + " is a big object: filter only by EventDate >= … AND EventDate < …");
        }
        for (String field : fields) {
          if (!StoredEvents.hasField(object, field)) {
            return Answer.error(
                "INVALID_FIELD", "No such column '" + field + "' on entity '" + object + "'");
          }
        }
        long from;
        long to;
        try {
          from = OffsetDateTime.parse(range.group(1)).toInstant().toEpochMilli();
          to = OffsetDateTime.parse(range.group(2)).toInstant().toEpochMilli();
        } catch (RuntimeException e) {
          return Answer.error("MALFORMED_QUERY", "EventDate must be compared with dateTimes");
        }
        return new Answer(stored.rows(object, from, to, fields), null, null);
      }
    }
    List<ObjectNode> out = new ArrayList<>(full.size());
    for (ObjectNode row : full) {
      ObjectNode projected = JSON.createObjectNode();
      projected.set("attributes", row.get("attributes"));
      for (String field : fields) {
        if (!copy(row, projected, field.split("\\."), 0)) {
          return Answer.error(
              "INVALID_FIELD", "No such column '" + field + "' on entity '" + object + "'");
        }
      }
      out.add(projected);
    }
    return new Answer(out, null, null);
  }

  /** Copies the path {@code parts[at..]} of {@code from} into {@code to}; false when unknown. */
  private static boolean copy(JsonNode from, ObjectNode to, String[] parts, int at) {
    JsonNode value = from.get(parts[at]);
    if (value == null) {
      return false;
    }
    if (at == parts.length - 1) {
      to.set(parts[at], value);
      return true;
    }
    if (value.isNull()) {
      to.putNull(parts[at]);
      return true;
    }
    ObjectNode child =
        to.get(parts[at]) instanceof ObjectNode existing ? existing : to.putObject(parts[at]);
    if (!child.has("attributes") && value.has("attributes")) {
      child.set("attributes", value.get("attributes"));
    }
    return copy(value, child, parts, at + 1);
  }

  private static List<String> literals(String list) {
    List<String> out = new ArrayList<>();
    for (String item : list.split(",")) {
      String t = item.trim();
      if (t.length() >= 2 && t.startsWith("'") && t.endsWith("'")) {
        out.add(t.substring(1, t.length() - 1));
      }
    }
    return out;
  }

  private static ObjectNode record(String type, String id) {
    ObjectNode r = JSON.createObjectNode();
    r.putObject("attributes").put("type", type);
    if (id != null) {
      r.put("Id", id);
    }
    return r;
  }

  private ObjectNode organization() {
    ObjectNode r = record("Organization", orgId);
    r.put("Name", "Simulated Health Network");
    r.put("TimeZoneSidKey", metadata.timeZone());
    return r;
  }

  private ObjectNode businessHours() {
    ObjectNode r = record("BusinessHours", "01m5f000000SimHrsAAA");
    r.put("Name", "Default");
    r.put("IsDefault", true);
    r.put("IsActive", true);
    r.put("TimeZoneSidKey", metadata.timeZone());
    for (String day : DAYS) {
      boolean weekday = !day.startsWith("S");
      // The REST API writes a time as HH:mm:ss.SSSZ; a day without hours has null times.
      r.put(day + "StartTime", weekday ? metadata.businessStart() + ":00.000Z" : null);
      r.put(day + "EndTime", weekday ? metadata.businessEnd() + ":00.000Z" : null);
    }
    return r;
  }

  private List<ObjectNode> entities() {
    List<ObjectNode> out = new ArrayList<>();
    for (String entity : metadata.entities()) {
      ObjectNode r = record("EntityDefinition", null);
      r.put("DurableId", entity);
      r.put("QualifiedApiName", entity);
      r.put("IsCustomizable", true);
      out.add(r);
    }
    return out;
  }

  private List<ObjectNode> fieldDefinitions(Set<String> entities) {
    List<ObjectNode> out = new ArrayList<>();
    for (OrgMetadata.Field field : metadata.fields()) {
      if (!entities.contains(field.entity())) {
        continue;
      }
      ObjectNode r = record("FieldDefinition", null);
      r.put("DurableId", field.entity() + "." + field.name());
      r.put("QualifiedApiName", field.name());
      ObjectNode entity = r.putObject("EntityDefinition");
      entity.putObject("attributes").put("type", "EntityDefinition");
      entity.put("QualifiedApiName", field.entity());
      r.put("ComplianceGroup", field.complianceGroup());
      r.put("SecurityClassification", field.securityClassification());
      out.add(r);
    }
    // The stored event objects describe their fields too (no data classification).
    for (String object : StoredEvents.OBJECTS.keySet()) {
      if (!entities.contains(object)) {
        continue;
      }
      for (String name : StoredEvents.fields(object)) {
        ObjectNode r = record("FieldDefinition", null);
        r.put("DurableId", object + "." + name);
        r.put("QualifiedApiName", name);
        ObjectNode entity = r.putObject("EntityDefinition");
        entity.putObject("attributes").put("type", "EntityDefinition");
        entity.put("QualifiedApiName", object);
        r.putNull("ComplianceGroup");
        r.putNull("SecurityClassification");
        out.add(r);
      }
    }
    return out;
  }

  private List<ObjectNode> users(boolean activeOnly) {
    List<ObjectNode> out = new ArrayList<>();
    for (OrgMetadata.User user : metadata.users()) {
      if (activeOnly && !user.active()) {
        continue;
      }
      ObjectNode r = record("User", user.id());
      r.put("Username", user.username());
      r.put("UserType", user.userType());
      r.put("IsActive", user.active());
      ObjectNode profile = r.putObject("Profile");
      profile.putObject("attributes").put("type", "Profile");
      profile.put("Name", user.profileName());
      ObjectNode license = profile.putObject("UserLicense");
      license.putObject("attributes").put("type", "UserLicense");
      license.put("Name", user.licenseName());
      out.add(r);
    }
    return out;
  }

  /** Assignments granting any of the selected {@code PermissionSet.Permissions…} fields. */
  private List<ObjectNode> assignments(List<String> fields) {
    List<String> asked =
        fields.stream()
            .filter(f -> f.startsWith("PermissionSet.Permissions"))
            .map(f -> f.substring("PermissionSet.Permissions".length()))
            .toList();
    List<ObjectNode> out = new ArrayList<>();
    for (OrgMetadata.Assignment a : metadata.assignments()) {
      if (asked.stream().noneMatch(a.grants()::contains)) {
        continue;
      }
      ObjectNode r = record("PermissionSetAssignment", null);
      r.put("AssigneeId", a.assigneeId());
      ObjectNode set = r.putObject("PermissionSet");
      set.putObject("attributes").put("type", "PermissionSet");
      set.put("Name", a.permissionSetName());
      set.put("IsOwnedByProfile", a.ownedByProfile());
      for (String permission : asked) {
        set.put("Permissions" + permission, a.grants().contains(permission));
      }
      out.add(r);
    }
    return out;
  }

  private List<ObjectNode> connectedApps() {
    List<ObjectNode> out = new ArrayList<>();
    for (OrgMetadata.ConnectedApp app : metadata.connectedApps()) {
      ObjectNode r = record("ConnectedApplication", app.id());
      r.put("Name", app.name());
      out.add(r);
    }
    return out;
  }

  private List<ObjectNode> tokens() {
    List<ObjectNode> out = new ArrayList<>();
    for (OrgMetadata.OauthToken token : metadata.oauthTokens()) {
      ObjectNode r = record("OauthToken", token.id());
      r.put("UserId", token.userId());
      r.put("AppName", token.appName());
      out.add(r);
    }
    return out;
  }
}
