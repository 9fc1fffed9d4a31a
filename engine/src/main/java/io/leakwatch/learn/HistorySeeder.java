package io.leakwatch.learn;

import com.espertech.esper.common.client.EventType;
import com.fasterxml.jackson.databind.JsonNode;
import io.leakwatch.cep.BadEventException;
import io.leakwatch.cep.EsperDetector;
import io.leakwatch.cep.EventMapper;
import io.leakwatch.cep.OrgContext;
import io.leakwatch.cep.TopicTypes;
import io.leakwatch.checkpoint.LearnedState;
import io.leakwatch.discover.DiscoveryFailure;
import io.leakwatch.engine.CompiledPack;
import io.leakwatch.engine.DeadLetters;
import io.leakwatch.engine.DetectionPipeline;
import io.leakwatch.profile.OrgProfile;
import io.leakwatch.rest.QueryException;
import io.leakwatch.rest.QueryPage;
import io.leakwatch.rest.SoqlClient;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Learns what the rules would have learned had they watched the org's past: the stored events
 * (ApiEvent, LoginEvent, ReportEvent… big objects, which keep the streams' field names) are read a
 * day at a time, merged into event-time order and run through the org's own rule pack and profile,
 * exactly as the live streams would be, with every alert muted (no sink; nothing leaves). The
 * durable tables are then what the rules hold. Nothing here knows a rule: every table the pack
 * marks durable is seeded, from the streams the rules owning those tables read.
 */
public final class HistorySeeder {
  private static final long DAY = 86_400_000L;
  private static final DateTimeFormatter SOQL_DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  /** The REST API's dateTime: milliseconds and an offset with or without a colon. */
  private static final DateTimeFormatter REST_DATE_TIME =
      new DateTimeFormatterBuilder()
          .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
          .appendPattern("[XXX][XX][X]")
          .toFormatter();

  private final CompiledPack pack;
  private final OrgProfile profile;

  public HistorySeeder(CompiledPack pack, OrgProfile profile) {
    this.pack = pack;
    this.profile = profile;
  }

  /** Channel names of the streams the rules owning a durable table read, sorted. */
  private List<String> streams(DetectionPipeline pipeline) {
    Set<String> rules = new TreeSet<>();
    for (String id : pipeline.durableShapes().keySet()) {
      rules.add(id.substring(0, id.indexOf('/')));
    }
    Set<String> channels = new TreeSet<>();
    for (String rule : rules) {
      if (rule.equals("shared")) {
        // A table of the shared EPL may be fed by any rule's streams.
        pack.pack().rules().forEach(r -> channels.addAll(pack.epl().lineage().streams(r.id())));
      } else {
        channels.addAll(pack.epl().lineage().streams(rule));
      }
    }
    channels.removeIf(c -> !pipeline.understands(StoredObject.topicOf(c)));
    return List.copyOf(channels);
  }

  private DetectionPipeline pipeline() {
    return new DetectionPipeline(
        pack, profile, new DetectionPipeline.Options(0, true, DeadLetters.none()));
  }

  /**
   * Reads {@code [from, to)} of the stored events the durable tables learn from and returns what
   * the tables hold at {@code to}. Alerts the history would have raised are dropped.
   */
  public Seed learn(SoqlClient soql, long from, long to)
      throws DiscoveryFailure, InterruptedException {
    long callsBefore = soql.calls();
    try (DetectionPipeline pipeline = pipeline()) {
      List<StoredObject> objects = objects(soql, streams(pipeline));
      Map<String, Long> read = new TreeMap<>();
      objects.forEach(o -> read.put(o.name(), 0L));
      Map<String, Long> unusable = new TreeMap<>();
      Set<String> users = new HashSet<>();
      Set<Long> days = new HashSet<>();
      for (long start = from; start < to; start += DAY) {
        long end = Math.min(to, start + DAY);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < objects.size(); i++) {
          StoredObject object = objects.get(i);
          int order = i;
          each(
              soql,
              object,
              "SELECT "
                  + String.join(", ", object.fields().keySet())
                  + " FROM "
                  + object.name()
                  + " WHERE EventDate >= "
                  + SOQL_DATE_TIME.format(Instant.ofEpochMilli(start))
                  + " AND EventDate < "
                  + SOQL_DATE_TIME.format(Instant.ofEpochMilli(end)),
              json -> rows.add(row(object, order, json, rows.size())));
        }
        // Big objects answer in their index order; the rules want event time across streams.
        rows.sort(
            Comparator.comparingLong(Row::time)
                .thenComparingInt(Row::order)
                .thenComparingInt(Row::seq));
        for (Row row : rows) {
          read.merge(row.object(), 1L, Long::sum);
          if (row.problem() != null) {
            unusable.merge(row.problem(), 1L, Long::sum);
            continue;
          }
          try {
            pipeline.process(row.topic(), row.fields(), 0);
          } catch (BadEventException e) {
            unusable.merge(e.getMessage(), 1L, Long::sum);
            continue;
          }
          Object user = row.fields().get("UserId");
          if (user != null) {
            users.add(user.toString());
          }
          days.add(Math.floorDiv(row.time(), DAY));
        }
      }
      // Every midnight and hour up to the end of the history passes, as it would have.
      pipeline.advanceTo(to);
      LearnedState state = pipeline.learnedState(Map.of());
      return new Seed(
          state, from, to, read, users.size(), days.size(), unusable, soql.calls() - callsBefore);
    }
  }

  /** One stored event: its stream's field names and values, ready for the pipeline. */
  private record Row(
      String object,
      String topic,
      int order,
      int seq,
      long time,
      Map<String, Object> fields,
      String problem) {}

  private static Row row(StoredObject object, int order, JsonNode json, int seq) {
    Map<String, Object> fields = new HashMap<>();
    String problem = null;
    for (String field : object.fields().keySet()) {
      JsonNode value = json.get(field);
      if (value == null || value.isNull()) {
        continue;
      }
      if (value.isNumber()) {
        fields.put(field, value.numberValue());
      } else if (value.isBoolean()) {
        fields.put(field, value.booleanValue());
      } else if (Long.class.equals(object.fields().get(field)) && value.isTextual()) {
        // A dateTime: the REST API writes "+0000", which the stream's mapper would refuse.
        try {
          fields.put(
              field,
              OffsetDateTime.parse(value.asText(), REST_DATE_TIME).toInstant().toEpochMilli());
        } catch (RuntimeException e) {
          fields.put(field, value.asText());
        }
      } else {
        fields.put(field, value.asText());
      }
    }
    long time = fields.get(EventMapper.EVENT_DATE) instanceof Long t ? t : Long.MIN_VALUE;
    if (time == Long.MIN_VALUE) {
      problem = EventMapper.EVENT_DATE + " is missing or not a date-time";
    }
    return new Row(object.name(), object.topic(), order, seq, time, fields, problem);
  }

  private interface RowHandler {
    void accept(JsonNode row);
  }

  private static void each(SoqlClient soql, StoredObject object, String query, RowHandler handler)
      throws DiscoveryFailure, InterruptedException {
    try {
      QueryPage page = soql.query(query);
      page.records().forEach(handler::accept);
      while (!page.done()) {
        page = soql.next(page);
        page.records().forEach(handler::accept);
      }
    } catch (QueryException e) {
      throw DiscoveryFailure.of("reading stored " + object.name() + " history for the seed", e);
    }
  }

  /**
   * The stored objects of {@code channels}, each with the fields to select: what the pack declares
   * for the stream's type and the object has (FieldDefinition, one Tooling query for all).
   */
  private List<StoredObject> objects(SoqlClient soql, List<String> channels)
      throws DiscoveryFailure, InterruptedException {
    if (channels.isEmpty()) {
      return List.of();
    }
    Map<String, String> topics = new LinkedHashMap<>();
    channels.forEach(c -> topics.put(StoredObject.nameOf(c), StoredObject.topicOf(c)));
    StringBuilder in = new StringBuilder();
    for (String name : topics.keySet()) {
      in.append(in.length() == 0 ? "" : ", ").append('\'').append(name).append('\'');
    }
    Map<String, Set<String>> has = new HashMap<>();
    try {
      for (JsonNode row :
          soql.toolingQueryAll(
              "SELECT EntityDefinition.QualifiedApiName, QualifiedApiName FROM FieldDefinition"
                  + " WHERE EntityDefinition.QualifiedApiName IN ("
                  + in
                  + ")")) {
        has.computeIfAbsent(
                row.path("EntityDefinition").path("QualifiedApiName").asText(""),
                k -> new HashSet<>())
            .add(row.path("QualifiedApiName").asText(""));
      }
    } catch (QueryException e) {
      throw DiscoveryFailure.of("reading the fields of the stored event objects (Tooling API)", e);
    }
    List<StoredObject> out = new ArrayList<>();
    Map<String, Map<String, Class<?>>> declared = declaredFields(topics.values());
    for (Map.Entry<String, String> e : topics.entrySet()) {
      Set<String> available = has.getOrDefault(e.getKey(), Set.of());
      if (!available.contains(EventMapper.EVENT_DATE)) {
        throw new DiscoveryFailure(
            DiscoveryFailure.Kind.UNAVAILABLE,
            "reading the fields of stored " + e.getKey(),
            "the org lists no EventDate field for it (is Event Monitoring licensed?)");
      }
      Map<String, Class<?>> fields = new LinkedHashMap<>(declared.get(e.getValue()));
      fields.keySet().retainAll(available);
      out.add(new StoredObject(e.getValue(), e.getKey(), fields));
    }
    return out;
  }

  /** The fields the pack declares for each topic's event type, in order, with their types. */
  private Map<String, Map<String, Class<?>>> declaredFields(Iterable<String> topics) {
    Map<String, Map<String, Class<?>>> out = new HashMap<>();
    try (EsperDetector types = new EsperDetector(pack.epl(), new OrgContext(profile), d -> {})) {
      for (String topic : topics) {
        EventType type = types.eventType(TopicTypes.typeFor(topic));
        Map<String, Class<?>> fields = new LinkedHashMap<>();
        for (String field : type == null ? new String[0] : type.getPropertyNames()) {
          Class<?> c = type.getPropertyType(field);
          fields.put(field, c == long.class ? Long.class : c);
        }
        out.put(topic, fields);
      }
    }
    return out;
  }
}
