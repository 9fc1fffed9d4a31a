package io.leakwatch.discover;

import com.fasterxml.jackson.databind.JsonNode;
import io.leakwatch.profile.Cidr;
import io.leakwatch.rest.QueryException;
import io.leakwatch.rest.QueryPage;
import io.leakwatch.rest.SoqlClient;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads the stored ApiEvent and LoginEvent big objects a day at a time (a big object can be
 * filtered only by EventDate), a page at a time, and folds each row into what discovery keeps: per
 * integration candidate its {@link IntegrationUsage}, and per /24 network the users who signed in
 * from it. (What the rules learn from the same history is seeded by {@code learn.HistorySeeder},
 * through the rules themselves.) Never selects {@code Records}; the query text is parsed and
 * dropped row by row.
 */
public final class EventHistory {
  static final String API_FIELDS =
      "EventDate, UserId, Operation, Query, QueriedEntities, RowsProcessed, RowsReturned,"
          + " ConnectedAppId, SourceIp";
  static final String LOGIN_FIELDS = "EventDate, UserId, LoginType, Status, SourceIp, CountryIso";
  private static final DateTimeFormatter SOQL_DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final long DAY = 86_400_000L;

  private final ZoneId zone;
  private final PhiCatalog catalog;
  private final Map<String, IntegrationUsage> usage = new HashMap<>();
  private final Map<String, Set<String>> networkUsers = new TreeMap<>();
  private long apiRows;
  private long loginRows;

  /**
   * @param candidates users whose usage is kept (integration users and candidates)
   */
  public EventHistory(ZoneId zone, PhiCatalog catalog, Set<String> candidates) {
    this.zone = zone;
    this.catalog = catalog;
    for (String user : candidates) {
      usage.put(user, new IntegrationUsage(zone));
    }
  }

  /** Reads {@code [from, to)}, one day per query of each object. */
  public EventHistory read(SoqlClient soql, long from, long to)
      throws DiscoveryFailure, InterruptedException {
    for (long start = from; start < to; start += DAY) {
      long end = Math.min(to, start + DAY);
      String range =
          " WHERE EventDate >= "
              + SOQL_DATE_TIME.format(Instant.ofEpochMilli(start))
              + " AND EventDate < "
              + SOQL_DATE_TIME.format(Instant.ofEpochMilli(end));
      each(
          soql,
          "reading stored ApiEvent history",
          "SELECT " + API_FIELDS + " FROM ApiEvent" + range,
          this::api);
      each(
          soql,
          "reading stored LoginEvent history",
          "SELECT " + LOGIN_FIELDS + " FROM LoginEvent" + range,
          this::login);
    }
    return this;
  }

  private interface RowHandler {
    void accept(JsonNode row);
  }

  private static void each(SoqlClient soql, String step, String query, RowHandler handler)
      throws DiscoveryFailure, InterruptedException {
    try {
      QueryPage page = soql.query(query);
      page.records().forEach(handler::accept);
      while (!page.done()) {
        page = soql.next(page);
        page.records().forEach(handler::accept);
      }
    } catch (QueryException e) {
      throw DiscoveryFailure.of(step, e);
    }
  }

  private void api(JsonNode row) {
    apiRows++;
    long time = time(row);
    String user = text(row, "UserId");
    if (time < 0 || user == null) {
      return;
    }
    String entities = text(row, "QueriedEntities");
    Double processed = number(row, "RowsProcessed");
    Double returned = number(row, "RowsReturned");
    String operation = text(row, "Operation");
    IntegrationUsage integration = usage.get(user);
    if (integration != null) {
      integration.api(
          time,
          operation,
          text(row, "Query"),
          entities,
          processed,
          returned,
          text(row, "ConnectedAppId"),
          catalog);
      network(text(row, "SourceIp"), user);
    }
  }

  private void login(JsonNode row) {
    loginRows++;
    long time = time(row);
    String user = text(row, "UserId");
    if (time < 0 || user == null || !"Success".equalsIgnoreCase(text(row, "Status"))) {
      return;
    }
    IntegrationUsage integration = usage.get(user);
    if (integration != null) {
      integration.login(time, text(row, "LoginType"));
    }
    String ip = text(row, "SourceIp");
    network(ip, user);
  }

  /** Counts {@code user} on the /24 of an IPv4 {@code ip} ("Salesforce.com IP" is no address). */
  private void network(String ip, String user) {
    if (ip == null || !Cidr.isLiteralAddress(ip) || ip.indexOf(':') >= 0) {
      return;
    }
    String net = ip.substring(0, ip.lastIndexOf('.')) + ".0/24";
    networkUsers.computeIfAbsent(net, n -> new TreeSet<>()).add(user);
  }

  public IntegrationUsage usage(String user) {
    return usage.get(user);
  }

  /** /24 networks from which at least {@code minUsers} users signed in or (integrations) called. */
  public Map<String, Integer> sharedNetworks(int minUsers) {
    Map<String, Integer> out = new TreeMap<>();
    networkUsers.forEach(
        (net, users) -> {
          if (users.size() >= minUsers) {
            out.put(net, users.size());
          }
        });
    return out;
  }

  public long apiRows() {
    return apiRows;
  }

  public long loginRows() {
    return loginRows;
  }

  public ZoneId zone() {
    return zone;
  }

  private static long time(JsonNode row) {
    String text = text(row, "EventDate");
    if (text == null) {
      return -1;
    }
    try {
      return java.time.OffsetDateTime.parse(
              text, DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxx"))
          .toInstant()
          .toEpochMilli();
    } catch (RuntimeException e) {
      try {
        return java.time.OffsetDateTime.parse(text).toInstant().toEpochMilli();
      } catch (RuntimeException again) {
        return -1;
      }
    }
  }

  private static String text(JsonNode row, String field) {
    JsonNode value = row.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static Double number(JsonNode row, String field) {
    JsonNode value = row.get(field);
    return value == null || !value.isNumber() ? null : value.asDouble();
  }
}
