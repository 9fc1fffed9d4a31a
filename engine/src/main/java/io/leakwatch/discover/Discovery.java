package io.leakwatch.discover;

import com.fasterxml.jackson.databind.JsonNode;
import io.leakwatch.rest.QueryException;
import io.leakwatch.rest.QueryPage;
import io.leakwatch.rest.SoqlClient;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads an org's PHI catalog, directory and stored events through its REST and Tooling APIs and
 * puts together a {@link DiscoveredOrg}. Metadata, ids, counts and names only: no record of a
 * patient object is ever selected.
 */
public final class Discovery {
  /** Users a /24 needs before discovery proposes it as a network the org works from. */
  static final int MIN_NETWORK_USERS = 3;

  /** A connected app more users hold a token of than this is a tool people use, not a job. */
  static final int MAX_DEDICATED_APP_HOLDERS = 2;

  private final SoqlClient soql;
  private final DiscoverySettings settings;

  public Discovery(SoqlClient soql, DiscoverySettings settings) {
    this.soql = soql;
    this.settings = settings;
  }

  /**
   * @param fallbackNow the clock to use when the org's answers carry no Date header
   */
  public DiscoveredOrg run(long fallbackNow) throws DiscoveryFailure, InterruptedException {
    return run(fallbackNow, Set.of());
  }

  /**
   * @param alsoTrack users whose usage to keep even if they do not look like integrations (a
   *     profile's declared integration users, for {@code profile diff}); 15- or 18-character ids
   */
  public DiscoveredOrg run(long fallbackNow, Set<String> alsoTrack)
      throws DiscoveryFailure, InterruptedException {
    QueryPage org;
    try {
      org = soql.query("SELECT Id, Name, TimeZoneSidKey FROM Organization");
    } catch (QueryException e) {
      throw DiscoveryFailure.of("reading Organization", e);
    }
    if (org.records().isEmpty()) {
      throw new DiscoveryFailure(
          DiscoveryFailure.Kind.UNAVAILABLE, "reading Organization", "no row");
    }
    JsonNode orgRow = org.records().get(0);
    long now = org.serverTime() > 0 ? org.serverTime() : fallbackNow;
    ZoneId zone;
    try {
      zone = ZoneId.of(orgRow.path("TimeZoneSidKey").asText(""));
    } catch (DateTimeException e) {
      zone = ZoneId.of("UTC");
    }
    BusinessHoursRow hours = businessHours();
    PhiCatalog catalog = PhiCatalog.read(soql, settings);
    OrgDirectory directory = OrgDirectory.read(soql);

    Map<String, String> foundBy = new TreeMap<>();
    for (OrgDirectory.User user : directory.users().values()) {
      if (user.integrationLicense()) {
        foundBy.put(user.id(), "Salesforce Integration licence");
      } else if (directory.apiOnlyUsers().contains(user.id())) {
        foundBy.put(user.id(), "API Only User permission");
      }
    }
    directory
        .tokensByUser()
        .forEach(
            (user, apps) -> {
              OrgDirectory.User u = directory.users().get(user);
              boolean person = u == null || !u.userType().equalsIgnoreCase("Standard");
              if (!foundBy.containsKey(user)
                  && !person
                  && apps.stream()
                      .anyMatch(app -> directory.holdersOf(app) <= MAX_DEDICATED_APP_HOLDERS)) {
                foundBy.put(user, "holds the only token(s) of a connected app");
              }
            });

    long from = now - settings.days() * 86_400_000L;
    Set<String> tracked = new TreeSet<>(foundBy.keySet());
    for (String id : alsoTrack) {
      directory.users().keySet().stream()
          .filter(u -> id.length() >= 15 && u.startsWith(id.substring(0, 15)))
          .forEach(tracked::add);
    }
    EventHistory history = new EventHistory(zone, catalog, tracked).read(soql, from, now);
    Map<String, IntegrationUsage> usageByUser = new TreeMap<>();
    tracked.forEach(u -> usageByUser.put(u, history.usage(u)));

    List<DiscoveredOrg.DiscoveredIntegration> integrations = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (Map.Entry<String, String> e : foundBy.entrySet()) {
      String user = e.getKey();
      IntegrationUsage usage = history.usage(user);
      if (e.getValue().startsWith("holds") && usage.browserLogins() > 0) {
        continue; // signs in through the browser: a person with a token, not a job
      }
      Set<String> apps = directory.tokensByUser().getOrDefault(user, Set.of());
      Set<String> appIds = new TreeSet<>(usage.connectedAppIds());
      String appName = null;
      for (String app : apps) {
        if (directory.holdersOf(app) <= MAX_DEDICATED_APP_HOLDERS) {
          appName = appName == null ? app : appName;
          String id = directory.connectedAppIds().get(app);
          if (id != null && !id.isEmpty()) {
            appIds.add(id);
          }
        }
      }
      OrgDirectory.User u = directory.users().get(user);
      String name = unique(names, slug(appName != null ? appName : u.username()));
      integrations.add(
          new DiscoveredOrg.DiscoveredIntegration(
              name, user, u.username(), appName, appIds, e.getValue(), usage));
    }
    Map<String, String> usernames = new TreeMap<>();
    directory
        .criticalHolders()
        .keySet()
        .forEach(id -> usernames.put(id, directory.users().get(id).username()));
    return new DiscoveredOrg(
        orgRow.path("Id").asText(""),
        orgRow.path("Name").asText(""),
        zone,
        hours.start(),
        hours.end(),
        hours.days(),
        catalog,
        List.copyOf(integrations),
        directory.criticalHolders(),
        usernames,
        history.sharedNetworks(MIN_NETWORK_USERS),
        from,
        now,
        history.apiRows(),
        history.loginRows(),
        usageByUser,
        soql.calls());
  }

  private record BusinessHoursRow(LocalTime start, LocalTime end, Set<DayOfWeek> days) {}

  /** The default BusinessHours: the most common opening and closing time over its open days. */
  private BusinessHoursRow businessHours() throws DiscoveryFailure, InterruptedException {
    StringBuilder select = new StringBuilder("SELECT Id, Name, TimeZoneSidKey");
    for (DayOfWeek day : DayOfWeek.values()) {
      String name = day.getDisplayName(java.time.format.TextStyle.FULL, Locale.ENGLISH);
      select.append(", ").append(name).append("StartTime, ").append(name).append("EndTime");
    }
    List<JsonNode> rows;
    try {
      rows = soql.queryAll(select + " FROM BusinessHours WHERE IsDefault = true");
    } catch (QueryException e) {
      throw DiscoveryFailure.of("reading BusinessHours", e);
    }
    if (rows.isEmpty()) {
      return new BusinessHoursRow(null, null, Set.of());
    }
    JsonNode row = rows.get(0);
    Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    Map<String, Integer> windows = new HashMap<>();
    for (DayOfWeek day : DayOfWeek.values()) {
      String name = day.getDisplayName(java.time.format.TextStyle.FULL, Locale.ENGLISH);
      LocalTime start = time(row.path(name + "StartTime"));
      LocalTime end = time(row.path(name + "EndTime"));
      if (start != null && end != null) {
        days.add(day);
        windows.merge(start + "-" + end, 1, Integer::sum);
      }
    }
    if (days.isEmpty()) {
      return new BusinessHoursRow(null, null, Set.of());
    }
    String common =
        windows.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    String[] parts = common.split("-");
    return new BusinessHoursRow(LocalTime.parse(parts[0]), LocalTime.parse(parts[1]), days);
  }

  /** A REST time ("07:00:00.000Z"), or null. */
  private static LocalTime time(JsonNode node) {
    if (node.isNull() || node.isMissingNode()) {
      return null;
    }
    String text = node.asText().replace("Z", "");
    try {
      return LocalTime.parse(text).withSecond(0).withNano(0);
    } catch (DateTimeException e) {
      return null;
    }
  }

  static String slug(String text) {
    String at = text.contains("@") ? text.substring(0, text.indexOf('@')) : text;
    String slug =
        at.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    return slug.isEmpty() ? "integration" : slug;
  }

  private static String unique(Set<String> names, String name) {
    String candidate = name;
    for (int n = 2; !names.add(candidate); n++) {
      candidate = name + "-" + n;
    }
    return candidate;
  }
}
