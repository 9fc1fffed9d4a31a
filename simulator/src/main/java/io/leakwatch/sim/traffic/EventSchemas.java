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

  /** Threat Detection's machine-learning events, each carrying a Score. */
  public static final List<String> THREAT_DETECTION =
      List.of(API_ANOMALY, SESSION_HIJACKING, CREDENTIAL_STUFFING, REPORT_ANOMALY);

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
          REPORT_ANOMALY);

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
