package io.leakwatch.sim.traffic;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * The Avro schemas of the event streams the simulated org publishes, shaped like Salesforce's:
 * record named after the event, namespace com.sforce.eventbus, CreatedDate and CreatedById
 * required, every other field a nullable union. Schema ids are fingerprints, as on Salesforce.
 */
public final class EventSchemas {
  public static final String API = "/event/ApiEventStream";
  public static final String REPORT = "/event/ReportEventStream";
  public static final String LOGIN = "/event/LoginEventStream";
  public static final String PERMISSION_SET = "/event/PermissionSetEvent";
  public static final String LIST_VIEW = "/event/ListViewEventStream";
  public static final String API_ANOMALY = "/event/ApiAnomalyEvent";
  public static final String SESSION_HIJACKING = "/event/SessionHijackingEvent";
  public static final String CREDENTIAL_STUFFING = "/event/CredentialStuffingEvent";
  public static final String REPORT_ANOMALY = "/event/ReportAnomalyEvent";
  public static final String LIGHTNING_URI = "/event/LightningUriEventStream";
  public static final String URI = "/event/UriEventStream";
  public static final String FILE = "/event/FileEvent";
  public static final String LOGIN_AS = "/event/LoginAsEventStream";

  /** No channel is printed in the docs for BulkApiResultEvent; this is Leakwatch's default. */
  public static final String BULK_API_RESULT = "/event/BulkApiResultEvent";

  public static final String LOGIN_ANOMALY = "/event/LoginAnomalyEvent";
  public static final String GUEST_USER_ANOMALY = "/event/GuestUserAnomalyEvent";

  /** Threat Detection's machine-learning events, each carrying a Score. */
  public static final List<String> THREAT_DETECTION =
      List.of(
          API_ANOMALY,
          SESSION_HIJACKING,
          CREDENTIAL_STUFFING,
          REPORT_ANOMALY,
          LOGIN_ANOMALY,
          GUEST_USER_ANOMALY);

  public static final List<String> TOPICS =
      List.of(
          API,
          REPORT,
          LOGIN,
          PERMISSION_SET,
          LIST_VIEW,
          API_ANOMALY,
          SESSION_HIJACKING,
          CREDENTIAL_STUFFING,
          REPORT_ANOMALY,
          LIGHTNING_URI,
          URI,
          FILE,
          LOGIN_AS,
          BULK_API_RESULT,
          LOGIN_ANOMALY,
          GUEST_USER_ANOMALY);

  /**
   * Fields the v67 release added to ApiEvent: the simulated org switches to that schema (a new
   * schema id) part-way through each day, as a real org does after a release.
   */
  public static final List<String> API_V67_FIELDS = List.of("ActionName", "BotId", "PlannerId");

  private static final EventSchemas STANDARD = load();

  private final Map<String, Schema> byTopic;
  private final Map<String, String> idByTopic;
  private final Map<String, Schema> byId;

  private EventSchemas(Map<String, Schema> byTopic) {
    this.byTopic = byTopic;
    this.idByTopic = new LinkedHashMap<>();
    this.byId = new LinkedHashMap<>();
    byTopic.forEach(
        (topic, schema) -> {
          String id = schemaId(schema);
          idByTopic.put(topic, id);
          byId.put(id, schema);
        });
    this.apiV67 = withNullableStrings(byTopic.get(API), API_V67_FIELDS);
    byId.put(schemaId(apiV67), apiV67);
  }

  private final Schema apiV67;
  private final Map<Schema, String> idBySchema = new java.util.concurrent.ConcurrentHashMap<>();

  private static Schema withNullableStrings(Schema base, List<String> names) {
    List<Schema.Field> fields = new java.util.ArrayList<>();
    for (Schema.Field field : base.getFields()) {
      fields.add(new Schema.Field(field, field.schema()));
    }
    Schema nullableString =
        Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING));
    for (String name : names) {
      fields.add(new Schema.Field(name, nullableString, null, Schema.Field.NULL_DEFAULT_VALUE));
    }
    return Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(), false, fields);
  }

  /** ApiEvent as of v67 (ActionName, BotId, PlannerId added), under its own schema id. */
  public Schema apiV67() {
    return apiV67;
  }

  /**
   * The record as the org publishes it: ApiEvent switches to the v67 schema (new fields, a new
   * schema id) at noon of each simulated day, so every played day's stream changes schema part-way
   * through, as a real org's does after a release. Each day is generated on its own, so each starts
   * on the older schema. Playback (demo, drill, simulate) and the benchmark publish through this;
   * tests that publish records directly keep one schema per topic.
   */
  public GenericRecord asPublished(SimEvent event) {
    if (!event.topic().equals(API)
        || java.time.Instant.ofEpochMilli(event.eventDate())
                .atZone(io.leakwatch.sim.org.SimulatedOrg.TIME_ZONE)
                .getHour()
            < 12) {
      return event.record();
    }
    GenericRecord evolved = new org.apache.avro.generic.GenericData.Record(apiV67);
    for (Schema.Field field : event.record().getSchema().getFields()) {
      evolved.put(field.name(), event.record().get(field.pos()));
    }
    return evolved;
  }

  /** The schema id of any schema this org serves (a topic's, or an evolved one), cached. */
  public String idOf(Schema schema) {
    return idBySchema.computeIfAbsent(schema, EventSchemas::schemaId);
  }

  public static EventSchemas standard() {
    return STANDARD;
  }

  private static EventSchemas load() {
    Map<String, Schema> schemas = new LinkedHashMap<>();
    for (String topic : TOPICS) {
      String name = topic.substring("/event/".length());
      try (InputStream in =
          EventSchemas.class.getResourceAsStream("/io/leakwatch/sim/schemas/" + name + ".avsc")) {
        if (in == null) {
          throw new IllegalStateException("missing schema resource for " + name);
        }
        schemas.put(
            topic,
            new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new EventSchemas(schemas);
  }

  /** A 22-character URL-safe id derived from the schema's canonical form, like Salesforce's. */
  public static String schemaId(Schema schema) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest(SchemaNormalization.toParsingForm(schema).getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 22);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public Schema schema(String topic) {
    Schema schema = byTopic.get(topic);
    if (schema == null) {
      throw new IllegalArgumentException("no schema for topic " + topic);
    }
    return schema;
  }

  public String schemaId(String topic) {
    return idByTopic.get(topic);
  }

  public Schema byId(String schemaId) {
    return byId.get(schemaId);
  }

  /** Schemas by topic, in {@link #TOPICS} order. */
  public Map<String, Schema> byTopic() {
    return java.util.Collections.unmodifiableMap(byTopic);
  }

  /** The bare Avro binary datum of a record, as Pub/Sub carries it. */
  public static byte[] encode(GenericRecord record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    try {
      new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
