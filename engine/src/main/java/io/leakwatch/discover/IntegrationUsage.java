package io.leakwatch.discover;

import io.leakwatch.cep.EventValues;
import io.leakwatch.soql.SoqlSelect;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one integration user actually did in the stored events: the objects and (PHI) fields its
 * queries selected, the hours it was active, and the patient rows it read per five minutes. The
 * query text is parsed as it arrives and dropped: only object and field names are kept.
 */
public final class IntegrationUsage {
  private static final long FIVE_MINUTES = 5 * 60_000L;

  private final ZoneId zone;
  private final Set<String> objects = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
  private final Map<String, Set<String>> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
  private final Set<String> unparsedPhiObjects = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
  private final Set<String> connectedAppIds = new TreeSet<>();
  private final int[] hours = new int[24];
  private final List<long[]> phiReads = new ArrayList<>();
  private long apiEvents;
  private long logins;
  private long browserLogins;

  public IntegrationUsage(ZoneId zone) {
    this.zone = zone;
  }

  /** One ApiEvent row of this user. */
  void api(
      long eventDate,
      String operation,
      String query,
      String queriedEntities,
      Double rowsProcessed,
      Double rowsReturned,
      String connectedAppId,
      PhiCatalog catalog) {
    apiEvents++;
    hour(eventDate);
    if (connectedAppId != null && !connectedAppId.isBlank()) {
      connectedAppIds.add(connectedAppId.trim());
    }
    boolean phi = false;
    if (queriedEntities != null) {
      for (String object : queriedEntities.split(",")) {
        String name = object.trim();
        if (!name.isEmpty()) {
          objects.add(name);
          phi |= catalog.isPhiObject(name);
        }
      }
    }
    SoqlSelect select = SoqlSelect.parse(query);
    if (select != null && catalog.isPhiObject(select.object())) {
      objects.add(select.object());
      fields
          .computeIfAbsent(select.object(), o -> new TreeSet<>(String.CASE_INSENSITIVE_ORDER))
          .addAll(select.fields());
    } else if (select == null && query != null && !query.isBlank() && phi) {
      // A query of PHI the parser cannot read: its fields are unknown, so none are declared.
      for (String object : queriedEntities.split(",")) {
        if (catalog.isPhiObject(object.trim())) {
          unparsedPhiObjects.add(object.trim());
        }
      }
    }
    double rows = EventValues.rowsRead(operation, rowsProcessed, rowsReturned);
    if (phi && rows > 0) {
      phiReads.add(new long[] {eventDate, (long) rows});
    }
  }

  /** One LoginEvent row of this user. */
  void login(long eventDate, String loginType) {
    logins++;
    hour(eventDate);
    if ("Application".equalsIgnoreCase(loginType)) {
      browserLogins++;
    }
  }

  private void hour(long eventDate) {
    hours[Instant.ofEpochMilli(eventDate).atZone(zone).getHour()]++;
  }

  public long apiEvents() {
    return apiEvents;
  }

  public long logins() {
    return logins;
  }

  /** Logins through the browser (LoginType Application): a person, not a job. */
  public long browserLogins() {
    return browserLogins;
  }

  public boolean active() {
    return apiEvents + logins > 0;
  }

  public Set<String> objects() {
    return new TreeSet<>(objects);
  }

  /** Per PHI object it selected from, the fields; objects with an unreadable query left out. */
  public Map<String, Set<String>> phiFields() {
    Map<String, Set<String>> out = new TreeMap<>();
    fields.forEach(
        (object, names) -> {
          if (!unparsedPhiObjects.contains(object)) {
            out.put(object, new TreeSet<>(names));
          }
        });
    return out;
  }

  public Set<String> unparsedPhiObjects() {
    return new TreeSet<>(unparsedPhiObjects);
  }

  public Set<String> connectedAppIds() {
    return new TreeSet<>(connectedAppIds);
  }

  /** Events per hour of the day, org time. */
  public int[] hours() {
    return hours.clone();
  }

  /**
   * The shortest daily window holding every active hour ([first, last+1) around the longest idle
   * gap), or null when never active.
   */
  public int[] activeHours() {
    if (!active()) {
      return null;
    }
    int bestStart = -1;
    int bestLength = 0;
    for (int start = 0; start < 24; start++) {
      if (hours[start] > 0 || hours[(start + 23) % 24] == 0) {
        continue; // a gap starts right after an active hour
      }
      int length = 0;
      while (length < 24 && hours[(start + length) % 24] == 0) {
        length++;
      }
      if (length > bestLength) {
        bestLength = length;
        bestStart = start;
      }
    }
    if (bestLength == 0) {
      return new int[] {0, 24};
    }
    int first = (bestStart + bestLength) % 24;
    return new int[] {first, first + 24 - bestLength};
  }

  /**
   * The run window to propose: the active hours with an hour's margin each side (jobs drift), every
   * hour when that leaves less than two idle hours; null when never active.
   */
  public LocalTime[] proposedWindow() {
    int[] active = activeHours();
    if (active == null) {
      return null;
    }
    int length = active[1] - active[0] + 2;
    if (length >= 22) {
      return new LocalTime[] {LocalTime.MIDNIGHT, LocalTime.MIDNIGHT};
    }
    return new LocalTime[] {
      LocalTime.of(Math.floorMod(active[0] - 1, 24), 0),
      LocalTime.of(Math.floorMod(active[1] + 1, 24), 0)
    };
  }

  /** The most patient rows read in any five minutes (a sliding window, as the rule counts). */
  public long maxRowsPer5Min() {
    List<long[]> reads = sortedReads();
    long best = 0;
    long sum = 0;
    int from = 0;
    for (long[] read : reads) {
      sum += read[1];
      while (read[0] - reads.get(from)[0] >= FIVE_MINUTES) {
        sum -= reads.get(from)[1];
        from++;
      }
      best = Math.max(best, sum);
    }
    return best;
  }

  /** The 95th percentile of patient rows per five-minute slot in which it read any. */
  public long p95RowsPer5Min() {
    Map<Long, Long> slots = new TreeMap<>();
    for (long[] read : phiReads) {
      slots.merge(read[0] / FIVE_MINUTES, read[1], Long::sum);
    }
    if (slots.isEmpty()) {
      return 0;
    }
    long[] sums = slots.values().stream().mapToLong(Long::longValue).sorted().toArray();
    int index = (int) Math.ceil(0.95 * sums.length) - 1;
    return sums[Math.max(0, index)];
  }

  /**
   * The least limit proposed: the people's default ({@code bulkReadRowsPer5Min}), so a job that
   * reads a patient now and then is not held to a handful (its load grows with the org).
   */
  public static final long FLOOR = 100;

  /**
   * The limit to propose: twice the 95th percentile, and never below one and a half times the most
   * ever read in five minutes, so the org's own busiest days do not page anyone, nor below {@link
   * #FLOOR}; rounded up to two significant digits. 0 when it read no patient rows.
   */
  public long proposedMaxRowsPer5Min() {
    long max = maxRowsPer5Min();
    if (max == 0) {
      return 0;
    }
    long proposal = Math.max(FLOOR, Math.max(2 * p95RowsPer5Min(), (max * 3 + 1) / 2));
    return roundUp(proposal);
  }

  static long roundUp(long value) {
    long unit = 1;
    while (value / unit >= 100) {
      unit *= 10;
    }
    return ((value + unit - 1) / unit) * unit;
  }

  private List<long[]> sortedReads() {
    List<long[]> reads = new ArrayList<>(phiReads);
    reads.sort((a, b) -> Long.compare(a[0], b[0]));
    return reads;
  }

  @Override
  public String toString() {
    return "IntegrationUsage[api="
        + apiEvents
        + ", logins="
        + logins
        + ", hours="
        + Arrays.toString(hours)
        + "]";
  }
}
