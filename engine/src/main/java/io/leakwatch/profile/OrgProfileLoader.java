package io.leakwatch.profile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads an org profile from YAML and rejects anything it does not understand with the file, the key
 * path and what is wrong. Unknown keys are errors too: a typo must not silently disable a rule.
 */
public final class OrgProfileLoader {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Set<String> TOP_KEYS =
      Set.of(
          "orgId",
          "name",
          "timeZone",
          "businessHours",
          "trustedNetworks",
          "phiObjects",
          "integrations",
          "thresholds",
          "changeWindow",
          "phiFields",
          "suppressions");

  private final String source;

  private OrgProfileLoader(String source) {
    this.source = source;
  }

  public static OrgProfile load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new ProfileException(
          file.toString(),
          null,
          "does not exist: `leakwatch profile discover` writes one from the org, or write it by"
              + " hand");
    } catch (IOException e) {
      throw new ProfileException(file.toString(), null, "cannot read: " + e.getMessage());
    }
    return parse(text, file.toString());
  }

  public static OrgProfile parse(String yaml, String source) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new ProfileException(
          source,
          null,
          "not valid YAML: "
              + e.getOriginalMessage()
              + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
    }
    if (root == null || !root.isObject()) {
      throw new ProfileException(source, null, "must be a YAML mapping");
    }
    return new OrgProfileLoader(source).read(root);
  }

  private OrgProfile read(JsonNode root) {
    rejectUnknown(root, "", TOP_KEYS);
    String orgId = text(root, "orgId", true);
    if (!orgId.matches("00D[0-9A-Za-z]{12}([0-9A-Za-z]{3})?")) {
      fail(
          "orgId",
          "'" + orgId + "' is not a Salesforce org id (00D followed by 12 or 15 characters)");
    }
    String name = root.has("name") ? text(root, "name", true) : orgId;
    ZoneId zone;
    String zoneText = text(root, "timeZone", true);
    try {
      zone = ZoneId.of(zoneText);
    } catch (DateTimeException e) {
      throw new ProfileException(
          source, "timeZone", "'" + zoneText + "' is not a time zone id (e.g. America/New_York)");
    }

    JsonNode hours = required(root, "businessHours", "businessHours");
    rejectUnknown(hours, "businessHours", Set.of("start", "end", "days"));
    TimeWindow businessHours =
        new TimeWindow(
            time(hours, "start", "businessHours.start"), time(hours, "end", "businessHours.end"));
    Set<DayOfWeek> days = days(required(hours, "days", "businessHours.days"), "businessHours.days");
    OrgProfile.ChangeWindow changeWindow = null;
    if (root.has("changeWindow")) {
      JsonNode window = root.get("changeWindow");
      rejectUnknown(window, "changeWindow", Set.of("start", "end", "days"));
      changeWindow =
          new OrgProfile.ChangeWindow(
              days(required(window, "days", "changeWindow.days"), "changeWindow.days"),
              new TimeWindow(
                  time(window, "start", "changeWindow.start"),
                  time(window, "end", "changeWindow.end")));
    }

    List<Cidr> trusted = new ArrayList<>();
    int n = 0;
    for (JsonNode cidr :
        list(required(root, "trustedNetworks", "trustedNetworks"), "trustedNetworks")) {
      String key = "trustedNetworks[" + n++ + "]";
      try {
        trusted.add(Cidr.parse(cidr.asText()));
      } catch (IllegalArgumentException e) {
        fail(key, e.getMessage());
      }
    }

    Set<String> phi = new LinkedHashSet<>();
    for (JsonNode object : list(required(root, "phiObjects", "phiObjects"), "phiObjects")) {
      phi.add(object.asText().trim().toLowerCase(Locale.ROOT));
    }
    if (phi.isEmpty()) {
      fail("phiObjects", "must name at least one object that holds PHI");
    }

    long bulk = 100;
    long uiViews = OrgProfile.DEFAULT_UI_RECORD_VIEWS;
    long fileDownloads = OrgProfile.DEFAULT_FILE_DOWNLOADS;
    if (root.has("thresholds")) {
      JsonNode thresholds = root.get("thresholds");
      rejectUnknown(
          thresholds,
          "thresholds",
          Set.of("bulkReadRowsPer5Min", "uiRecordViewsPer10Min", "fileDownloadsPer30Min"));
      if (thresholds.has("bulkReadRowsPer5Min")) {
        bulk = positive(thresholds, "bulkReadRowsPer5Min", "thresholds.bulkReadRowsPer5Min");
      }
      if (thresholds.has("uiRecordViewsPer10Min")) {
        uiViews = positive(thresholds, "uiRecordViewsPer10Min", "thresholds.uiRecordViewsPer10Min");
      }
      if (thresholds.has("fileDownloadsPer30Min")) {
        fileDownloads =
            positive(thresholds, "fileDownloadsPer30Min", "thresholds.fileDownloadsPer30Min");
      }
    }

    List<Integration> integrations = new ArrayList<>();
    if (root.has("integrations")) {
      int i = 0;
      Set<String> seenUsers = new LinkedHashSet<>();
      for (JsonNode node : list(root.get("integrations"), "integrations")) {
        String at = "integrations[" + i++ + "]";
        rejectUnknown(
            node,
            at,
            Set.of(
                "name",
                "userIds",
                "connectedAppIds",
                "runWindow",
                "maxRowsPer5Min",
                "objects",
                "fields",
                "downloadsFiles"));
        String integrationName = text(node, "name", true, at + ".name");
        Set<String> users = new LinkedHashSet<>();
        int u = 0;
        for (JsonNode user : list(required(node, "userIds", at + ".userIds"), at + ".userIds")) {
          String id = user.asText().trim();
          String key = at + ".userIds[" + u++ + "]";
          if (!id.matches("005[0-9A-Za-z]{12}([0-9A-Za-z]{3})?")) {
            fail(key, "'" + id + "' is not a Salesforce user id (005…)");
          }
          if (!seenUsers.add(id)) {
            fail(key, "user " + id + " is already declared by another integration");
          }
          users.add(id);
        }
        if (users.isEmpty()) {
          fail(at + ".userIds", "must list the user id(s) the integration runs as");
        }
        Set<String> apps = new LinkedHashSet<>();
        if (node.has("connectedAppIds")) {
          for (JsonNode app : list(node.get("connectedAppIds"), at + ".connectedAppIds")) {
            apps.add(app.asText().trim());
          }
        }
        JsonNode window = required(node, "runWindow", at + ".runWindow");
        rejectUnknown(window, at + ".runWindow", Set.of("start", "end"));
        TimeWindow runWindow =
            new TimeWindow(
                time(window, "start", at + ".runWindow.start"),
                time(window, "end", at + ".runWindow.end"));
        long max = positive(node, "maxRowsPer5Min", at + ".maxRowsPer5Min");
        Set<String> objects = new LinkedHashSet<>();
        if (node.has("objects")) {
          for (JsonNode object : list(node.get("objects"), at + ".objects")) {
            objects.add(object.asText().trim().toLowerCase(Locale.ROOT));
          }
        }
        java.util.Map<String, Set<String>> fields =
            node.has("fields") ? fieldMap(node.get("fields"), at + ".fields") : java.util.Map.of();
        boolean downloadsFiles = false;
        if (node.has("downloadsFiles")) {
          if (!node.get("downloadsFiles").isBoolean()) {
            fail(at + ".downloadsFiles", "must be true or false");
          }
          downloadsFiles = node.get("downloadsFiles").asBoolean();
        }
        integrations.add(
            new Integration(
                integrationName,
                Set.copyOf(users),
                Set.copyOf(apps),
                runWindow,
                max,
                Set.copyOf(objects),
                fields,
                downloadsFiles));
      }
    }
    return new OrgProfile(
        orgId,
        name,
        zone,
        businessHours,
        Set.copyOf(days),
        List.copyOf(trusted),
        Set.copyOf(phi),
        List.copyOf(integrations),
        bulk,
        changeWindow,
        root.has("phiFields") ? fieldMap(root.get("phiFields"), "phiFields") : java.util.Map.of(),
        root.has("suppressions") ? suppressions(root.get("suppressions"), zone) : List.of(),
        uiViews,
        fileDownloads);
  }

  private List<OrgProfile.Suppression> suppressions(JsonNode node, ZoneId zone) {
    List<OrgProfile.Suppression> out = new ArrayList<>();
    int i = 0;
    for (JsonNode s : list(node, "suppressions")) {
      String at = "suppressions[" + i++ + "]";
      rejectUnknown(s, at, Set.of("rule", "principal", "reason", "expires"));
      String rule = text(s, "rule", true, at + ".rule");
      String reason = text(s, "reason", true, at + ".reason");
      String expires = text(s, "expires", true, at + ".expires");
      long expiresAt;
      try {
        expiresAt =
            expires.contains("T")
                ? java.time.OffsetDateTime.parse(expires).toInstant().toEpochMilli()
                : java.time.LocalDate.parse(expires)
                    .plusDays(1)
                    .atStartOfDay(zone)
                    .toInstant()
                    .toEpochMilli();
      } catch (java.time.format.DateTimeParseException e) {
        throw new ProfileException(
            source,
            at + ".expires",
            "'" + expires + "' is not a date (2026-06-30) or an ISO datetime with offset");
      }
      out.add(
          new OrgProfile.Suppression(
              rule,
              s.has("principal") ? text(s, "principal", true, at + ".principal") : null,
              reason,
              expiresAt));
    }
    return List.copyOf(out);
  }

  /** {@code Object: [Field, …]} mappings, lower-cased for matching. */
  private java.util.Map<String, Set<String>> fieldMap(JsonNode node, String at) {
    if (!node.isObject()) {
      fail(at, "must map object names to lists of field names");
    }
    java.util.Map<String, Set<String>> out = new java.util.HashMap<>();
    for (Iterator<String> objects = node.fieldNames(); objects.hasNext(); ) {
      String object = objects.next();
      Set<String> fields = new LinkedHashSet<>();
      for (JsonNode field : list(node.get(object), at + "." + object)) {
        fields.add(field.asText().trim().toLowerCase(Locale.ROOT));
      }
      out.put(object.toLowerCase(Locale.ROOT), Set.copyOf(fields));
    }
    return java.util.Map.copyOf(out);
  }

  private Set<DayOfWeek> days(JsonNode dayList, String at) {
    Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    int d = 0;
    for (JsonNode day : list(dayList, at)) {
      String key = at + "[" + d++ + "]";
      try {
        days.add(DayOfWeek.valueOf(day.asText().trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        fail(key, "'" + day.asText() + "' is not a day of the week (MONDAY..SUNDAY)");
      }
    }
    return Set.copyOf(days);
  }

  private void rejectUnknown(JsonNode node, String at, Set<String> known) {
    if (!node.isObject()) {
      fail(at, "must be a mapping");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        fail(
            at.isEmpty() ? name : at + "." + name,
            "unknown key (expected one of " + new java.util.TreeSet<>(known) + ")");
      }
    }
  }

  private JsonNode required(JsonNode node, String field, String key) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      fail(key, "is required");
    }
    return value;
  }

  private Iterable<JsonNode> list(JsonNode node, String key) {
    if (!node.isArray()) {
      fail(key, "must be a list");
    }
    return node;
  }

  private String text(JsonNode node, String field, boolean required) {
    return text(node, field, required, field);
  }

  private String text(JsonNode node, String field, boolean required, String key) {
    JsonNode value = required ? required(node, field, key) : node.get(field);
    if (value == null) {
      return null;
    }
    if (!value.isTextual() && !value.isNumber()) {
      fail(key, "must be text");
    }
    String text = value.asText().trim();
    if (text.isEmpty()) {
      fail(key, "must not be empty");
    }
    return text;
  }

  private LocalTime time(JsonNode node, String field, String key) {
    String text = text(node, field, true, key);
    try {
      return LocalTime.parse(text.length() == 4 ? "0" + text : text);
    } catch (DateTimeParseException e) {
      throw new ProfileException(source, key, "'" + text + "' is not a time of day (HH:mm)");
    }
  }

  private long positive(JsonNode node, String field, String key) {
    JsonNode value = required(node, field, key);
    if (!value.canConvertToLong() || value.asLong() <= 0 || !value.isIntegralNumber()) {
      fail(key, "must be a whole number above 0, was '" + value.asText() + "'");
    }
    return value.asLong();
  }

  private void fail(String key, String problem) {
    throw new ProfileException(source, key, problem);
  }
}
