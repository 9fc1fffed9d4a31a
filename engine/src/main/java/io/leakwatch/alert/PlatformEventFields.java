package io.leakwatch.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

/**
 * The fields of the {@code Leakwatch_Alert__e} platform event and how an alert fills them. The
 * event is defined in the org with these custom fields (API name: type): {@code Alert_Id__c,
 * Delivery_Key__c, Rule_Id__c, Title__c, Severity__c, Principal_Id__c, Integration__c, Objects__c,
 * Incident_Id__c}: Text; {@code Count__c, Revision__c, Event_Count__c}: Number; {@code
 * First_Event_Time__c, Last_Event_Time__c, Detected_At__c}: Date/Time; {@code Drill__c,
 * Suppressed__c}: Checkbox. Fields the schema lacks are left out, so an org may define fewer; a
 * required field Leakwatch cannot fill makes the alert dead, not guessed.
 */
public final class PlatformEventFields {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PlatformEventFields() {}

  /** The alert's values by field API name, from its Leakwatch JSON. */
  static Map<String, Object> values(String alertJson, long now) throws IOException {
    JsonNode a = JSON.readTree(alertJson);
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("CreatedDate", now);
    v.put("CreatedById", "");
    v.put("Alert_Id__c", a.path("id").asText());
    int revision = a.path("revision").asInt(1);
    v.put(
        "Delivery_Key__c",
        revision == 1 ? a.path("id").asText() : a.path("id").asText() + "#" + revision);
    v.put("Rule_Id__c", a.path("ruleId").asText());
    v.put("Title__c", a.path("title").asText());
    v.put("Severity__c", a.path("severity").asText());
    v.put("Principal_Id__c", a.path("principal").asText());
    v.put("Integration__c", a.hasNonNull("integration") ? a.get("integration").asText() : null);
    v.put("Objects__c", a.path("objects").asText());
    v.put("Incident_Id__c", a.hasNonNull("incident") ? a.get("incident").asText() : null);
    v.put("Count__c", a.path("count").asLong());
    v.put("Revision__c", (long) revision);
    v.put("Event_Count__c", (long) a.path("evidence").size());
    v.put("First_Event_Time__c", Instant.parse(a.path("firstEventTime").asText()).toEpochMilli());
    v.put("Last_Event_Time__c", Instant.parse(a.path("lastEventTime").asText()).toEpochMilli());
    v.put("Detected_At__c", Instant.parse(a.path("detectedAt").asText()).toEpochMilli());
    v.put("Drill__c", a.path("drill").asBoolean());
    v.put("Suppressed__c", a.path("suppressed").asBoolean(false));
    return v;
  }

  static GenericData.Record record(Schema schema, String alertJson, long now)
      throws IOException, UnfillableSchemaException {
    Map<String, Object> values = values(alertJson, now);
    GenericData.Record record = new GenericData.Record(schema);
    for (Schema.Field field : schema.getFields()) {
      Object value = values.get(field.name());
      Schema type = nonNull(field.schema());
      if (value == null) {
        if (!allowsNull(field.schema()) && !field.hasDefaultValue()) {
          throw new UnfillableSchemaException(
              "the schema of the platform event requires field "
                  + field.name()
                  + ", which Leakwatch does not fill");
        }
        record.put(
            field.name(),
            field.hasDefaultValue() ? GenericData.get().getDefaultValue(field) : null);
        continue;
      }
      record.put(field.name(), convert(field.name(), value, type));
    }
    return record;
  }

  private static Object convert(String name, Object value, Schema type)
      throws UnfillableSchemaException {
    return switch (type.getType()) {
      case STRING -> value.toString();
      case LONG -> ((Number) asNumber(name, value)).longValue();
      case INT -> ((Number) asNumber(name, value)).intValue();
      case DOUBLE -> ((Number) asNumber(name, value)).doubleValue();
      case FLOAT -> ((Number) asNumber(name, value)).floatValue();
      case BOOLEAN -> value instanceof Boolean b ? b : Boolean.parseBoolean(value.toString());
      default ->
          throw new UnfillableSchemaException(
              "field "
                  + name
                  + " has Avro type "
                  + type.getType()
                  + ", which Leakwatch cannot fill");
    };
  }

  private static Object asNumber(String name, Object value) throws UnfillableSchemaException {
    if (value instanceof Number || value instanceof Boolean) {
      return value instanceof Boolean b ? (b ? 1 : 0) : value;
    }
    throw new UnfillableSchemaException(
        "field " + name + " is numeric in the schema but Leakwatch's value is text");
  }

  private static Schema nonNull(Schema schema) {
    if (schema.getType() != Schema.Type.UNION) {
      return schema;
    }
    return schema.getTypes().stream()
        .filter(s -> s.getType() != Schema.Type.NULL)
        .findFirst()
        .orElse(schema);
  }

  private static boolean allowsNull(Schema schema) {
    return schema.getType() == Schema.Type.NULL
        || (schema.getType() == Schema.Type.UNION
            && schema.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL));
  }

  /** The topic's schema asks for something Leakwatch cannot provide. */
  public static final class UnfillableSchemaException extends Exception {
    public UnfillableSchemaException(String message) {
      super(message);
    }
  }
}
