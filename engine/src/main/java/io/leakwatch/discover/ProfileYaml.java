package io.leakwatch.discover;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Writes a {@link DiscoveredOrg} as an org profile the engine loads. What came from the org's setup
 * is written as is; what was inferred from its stored events is marked {@code # observed} for a
 * person to confirm. Nothing per person is written.
 */
public final class ProfileYaml {
  private ProfileYaml() {}

  public static String render(DiscoveredOrg org, DiscoverySettings settings) {
    StringBuilder y = new StringBuilder();
    y.append("# Org profile discovered by `leakwatch profile discover` on ")
        .append(Instant.ofEpochMilli(org.historyTo()).atOffset(ZoneOffset.UTC))
        .append('\n');
    y.append("# History read: ApiEvent and LoginEvent, ")
        .append(day(org.historyFrom()))
        .append(" to ")
        .append(day(org.historyTo()))
        .append(" (")
        .append(settings.days())
        .append(" days, ")
        .append(org.apiRows())
        .append(" API events, ")
        .append(org.loginRows())
        .append(" logins); ")
        .append(org.calls())
        .append(" REST calls.\n");
    y.append(
        "# Lines marked \"observed\" were proposed from what the org did, not from its setup:\n");
    y.append("# confirm each before relying on it. Nothing per person is written here.\n");
    y.append("orgId: ").append(org.orgId()).append('\n');
    if (!org.name().isBlank()) {
      y.append("name: ").append(quote(org.name())).append('\n');
    }
    y.append("timeZone: ")
        .append(org.timeZone().getId())
        .append("   # Organization.TimeZoneSidKey\n");
    if (org.businessStart() != null) {
      y.append("businessHours:   # the default BusinessHours\n");
      y.append("  start: \"").append(org.businessStart()).append("\"\n");
      y.append("  end: \"").append(org.businessEnd()).append("\"\n");
      y.append("  days: [")
          .append(
              org.businessDays().stream()
                  .sorted()
                  .map(DayOfWeek::name)
                  .collect(Collectors.joining(", ")))
          .append("]\n");
    } else {
      y.append(
          "businessHours:   # no default BusinessHours in the org: Monday to Friday, 08:00-18:00\n");
      y.append(
          "  start: \"08:00\"\n  end: \"18:00\"\n  days: [MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY]\n");
    }
    y.append("# Network Access (Setup) is not readable through the REST API: these are the /24\n");
    y.append("# networks that at least ")
        .append(Discovery.MIN_NETWORK_USERS)
        .append(" users signed in (or integrations called) from.\n");
    if (org.networks().isEmpty()) {
      y.append(
          "trustedNetworks: []   # observed: none shared; add your office and integration egress\n");
    } else {
      y.append("trustedNetworks:\n");
      org.networks()
          .forEach(
              (net, users) ->
                  y.append("  - ")
                      .append(net)
                      .append("   # observed: ")
                      .append(users)
                      .append(" users\n"));
    }
    y.append("phiObjects: [")
        .append(String.join(", ", org.catalog().objects()))
        .append("]   # fields whose ComplianceGroup is one of ")
        .append(new TreeSet<>(settings.complianceGroups()))
        .append(
            settings.classifications().isEmpty()
                ? ""
                : " or SecurityClassification one of " + new TreeSet<>(settings.classifications()))
        .append('\n');
    if (!org.catalog().fields().isEmpty()) {
      y.append("phiFields:   # objects not listed here hold PHI in every field\n");
      org.catalog()
          .fields()
          .forEach(
              (object, fields) ->
                  y.append("  ")
                      .append(object)
                      .append(": [")
                      .append(String.join(", ", fields))
                      .append("]\n"));
    }
    y.append("thresholds:\n  bulkReadRowsPer5Min: 100   # people share one limit (the default)\n");
    y.append(
        "# changeWindow: the org's metadata has none; add your maintenance window if admins read logs\n");
    if (org.integrations().isEmpty()) {
      y.append("integrations: []\n");
      return y.toString();
    }
    y.append("integrations:\n");
    for (DiscoveredOrg.DiscoveredIntegration i : org.integrations()) {
      IntegrationUsage usage = i.usage();
      y.append("  - name: ")
          .append(i.name())
          .append("   # ")
          .append(i.appName() == null ? i.username() : i.appName())
          .append("; found by: ")
          .append(i.foundBy())
          .append('\n');
      y.append("    userIds: [").append(i.userId()).append("]\n");
      if (!i.connectedAppIds().isEmpty()) {
        y.append("    connectedAppIds: [")
            .append(String.join(", ", i.connectedAppIds()))
            .append("]\n");
      }
      LocalTime[] window = usage.proposedWindow();
      if (window == null) {
        y.append("    runWindow: {start: \"")
            .append(org.businessStart() == null ? "08:00" : org.businessStart())
            .append("\", end: \"")
            .append(org.businessEnd() == null ? "18:00" : org.businessEnd())
            .append("\"}   # observed: no activity in ")
            .append(settings.days())
            .append(" days; business hours until you say otherwise\n");
      } else {
        int[] active = usage.activeHours();
        y.append("    runWindow: {start: \"")
            .append(window[0])
            .append("\", end: \"")
            .append(window[1])
            .append("\"}   # observed: active ")
            .append(hour(active[0]))
            .append("-")
            .append(hour(active[1]))
            .append(" org time, an hour's margin each side\n");
      }
      long proposed = usage.proposedMaxRowsPer5Min();
      if (proposed > 0) {
        y.append("    maxRowsPer5Min: ")
            .append(proposed)
            .append("   # observed: 95th percentile ")
            .append(usage.p95RowsPer5Min())
            .append(", most ")
            .append(usage.maxRowsPer5Min())
            .append(" patient rows in 5 min\n");
      } else {
        y.append(
            "    maxRowsPer5Min: 100   # observed: read no patient rows; the people's limit\n");
      }
      Set<String> objects = usage.objects();
      if (!objects.isEmpty()) {
        y.append("    objects: [")
            .append(String.join(", ", objects))
            .append("]   # observed: QueriedEntities of its API calls\n");
      }
      Map<String, Set<String>> fields = usage.phiFields();
      if (!fields.isEmpty()) {
        y.append(
            "    fields:   # observed: the fields its queries of PHI selected (literals dropped)\n");
        fields.forEach(
            (object, names) ->
                y.append("      ")
                    .append(object)
                    .append(": [")
                    .append(String.join(", ", names))
                    .append("]\n"));
      }
      if (!usage.unparsedPhiObjects().isEmpty()) {
        y.append("    # no field list for ")
            .append(usage.unparsedPhiObjects())
            .append(": some of its queries could not be parsed\n");
      }
    }
    return y.toString();
  }

  private static String hour(int h) {
    return LocalTime.of(Math.floorMod(h, 24), 0).toString();
  }

  private static String day(long millis) {
    return Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC).toLocalDate().toString();
  }

  private static String quote(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
