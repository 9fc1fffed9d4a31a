package io.leakwatch.sim.org;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * The simulated org's stored Real-Time Event Monitoring events: the ApiEvent, LoginEvent and
 * ReportEvent big objects, holding the background traffic of the {@code days} days before {@code
 * today} (no scenario: nobody leaked in the weeks before the drill). Rows are made on demand, a day
 * at a time, so thirty days of a large org need no memory to speak of.
 */
public final class StoredEvents {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the REST API writes for a dateTime: milliseconds and an offset without a colon. */
  private static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxx").withZone(ZoneOffset.UTC);

  /** Stored object name → the stream its events came from. */
  public static final Map<String, String> OBJECTS =
      Map.of(
          "ApiEvent", EventSchemas.API,
          "LoginEvent", EventSchemas.LOGIN,
          "ReportEvent", EventSchemas.REPORT);

  private final SimulatedOrg org;
  private final LocalDate today;
  private final int days;
  private final TrafficGenerator traffic;
  private final List<SimEvent> staged;
  private final Map<LocalDate, List<SimEvent>> recent =
      new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<LocalDate, List<SimEvent>> eldest) {
          return size() > 2;
        }
      };

  /**
   * @param today the first day not stored yet (the day the simulator plays)
   * @param days how many days before it are stored
   */
  public StoredEvents(SimulatedOrg org, LocalDate today, int days) {
    this(org, today, days, List.of());
  }

  /**
   * @param staged events a scenario stages on the days before {@code today} (the earlier working
   *     days whose habits a rule learns), stored with the background traffic; events from {@code
   *     today} on are left out (they are the day the simulator plays)
   */
  public StoredEvents(SimulatedOrg org, LocalDate today, int days, List<SimEvent> staged) {
    this.org = org;
    this.today = today;
    this.days = days;
    this.traffic = new TrafficGenerator(org);
    this.staged = staged.stream().filter(e -> e.eventDate() < end()).toList();
  }

  /** When the stored history ends: the start of {@code today} in the org's time zone. */
  public long end() {
    return TrafficGenerator.millis(today, LocalTime.MIDNIGHT);
  }

  public long start() {
    return TrafficGenerator.millis(today.minusDays(days), LocalTime.MIDNIGHT);
  }

  /**
   * The rows of {@code object} with {@code from <= EventDate < to}, in EventDate order, each
   * holding {@code fields} (and {@code attributes}); null when the object is not a stored event
   * object.
   */
  public List<ObjectNode> rows(String object, long from, long to, List<String> fields) {
    String topic = OBJECTS.get(object);
    if (topic == null) {
      return null;
    }
    long lo = Math.max(from, start());
    long hi = Math.min(to, end());
    List<ObjectNode> out = new ArrayList<>();
    if (lo >= hi) {
      return out;
    }
    List<SimEvent> events = new ArrayList<>();
    // A simulated day's events lie within its own local day.
    LocalDate first = Instant.ofEpochMilli(lo).atZone(SimulatedOrg.TIME_ZONE).toLocalDate();
    LocalDate last = Instant.ofEpochMilli(hi - 1).atZone(SimulatedOrg.TIME_ZONE).toLocalDate();
    for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
      for (SimEvent event : day(day)) {
        if (event.topic().equals(topic) && event.eventDate() >= lo && event.eventDate() < hi) {
          events.add(event);
        }
      }
    }
    for (SimEvent event : staged) {
      if (event.topic().equals(topic) && event.eventDate() >= lo && event.eventDate() < hi) {
        events.add(event);
      }
    }
    events.sort(TrafficGenerator::byTime);
    for (SimEvent event : events) {
      out.add(row(object, event.record(), fields));
    }
    return out;
  }

  private synchronized List<SimEvent> day(LocalDate day) {
    return recent.computeIfAbsent(day, traffic::day);
  }

  private static ObjectNode row(String object, GenericRecord record, List<String> fields) {
    ObjectNode row = JSON.createObjectNode();
    row.putObject("attributes").put("type", object);
    for (String field : fields) {
      Object value = record.getSchema().getField(field) == null ? null : record.get(field);
      if (value == null) {
        row.putNull(field);
      } else if (field.equals("EventDate") || field.equals("CreatedDate")) {
        row.put(field, DATE_TIME.format(Instant.ofEpochMilli(((Number) value).longValue())));
      } else if (value instanceof Double d) {
        row.put(field, d);
      } else if (value instanceof Integer i) {
        row.put(field, i);
      } else if (value instanceof Long l) {
        row.put(field, l);
      } else if (value instanceof Boolean b) {
        row.put(field, b);
      } else {
        row.put(field, value.toString());
      }
    }
    return row;
  }

  /** The fields of a stored object (its stream's schema), or an empty list for another object. */
  public static List<String> fields(String object) {
    String topic = OBJECTS.get(object);
    return topic == null
        ? List.of()
        : EventSchemas.standard().schema(topic).getFields().stream()
            .map(Schema.Field::name)
            .toList();
  }

  /** Whether {@code field} is a field of the stored object (its stream's schema). */
  public static boolean hasField(String object, String field) {
    String topic = OBJECTS.get(object);
    return topic != null && EventSchemas.standard().schema(topic).getField(field) != null;
  }
}
