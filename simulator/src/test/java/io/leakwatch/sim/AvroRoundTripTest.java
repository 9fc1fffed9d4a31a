package io.leakwatch.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.pubsub.PayloadDecoder;
import io.leakwatch.pubsub.SchemaCache;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.scenario.Scenarios;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every event type survives Avro binary encoding and decoding with its writer schema, field for
 * field.
 */
class AvroRoundTripTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        EventSchemas.API,
        EventSchemas.REPORT,
        EventSchemas.LOGIN,
        EventSchemas.PERMISSION_SET,
        EventSchemas.SESSION_HIJACKING
      })
  void roundTrips(String topic) throws Exception {
    EventSchemas schemas = EventSchemas.standard();
    PayloadDecoder decoder = new PayloadDecoder(new SchemaCache(id -> schemas.byId(id).toString()));
    int checked = 0;
    for (SimEvent event :
        Scenarios.day(SimulatedOrg.generate(11, 300), LocalDate.of(2026, 3, 10), Scenarios.all())
            .events()) {
      if (!event.topic().equals(topic)) {
        continue;
      }
      GenericRecord decoded =
          decoder.decode(schemas.schemaId(topic), EventSchemas.encode(event.record()));
      assertEquals(asMap(event.record()), asMap(decoded));
      checked++;
    }
    assertTrue(checked > 0, "no " + topic + " events generated");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        EventSchemas.API,
        EventSchemas.REPORT,
        EventSchemas.LOGIN,
        EventSchemas.PERMISSION_SET,
        EventSchemas.API_ANOMALY,
        EventSchemas.SESSION_HIJACKING,
        EventSchemas.CREDENTIAL_STUFFING,
        EventSchemas.REPORT_ANOMALY
      })
  void schemasHaveSalesforcesShape(String topic) {
    Schema schema = EventSchemas.standard().schema(topic);
    assertEquals("com.sforce.eventbus", schema.getNamespace());
    assertEquals(Schema.Type.LONG, schema.getField("CreatedDate").schema().getType());
    assertEquals(Schema.Type.STRING, schema.getField("CreatedById").schema().getType());
    Schema eventDate = schema.getField("EventDate").schema();
    assertEquals(Schema.Type.UNION, eventDate.getType());
    assertEquals(Schema.Type.NULL, eventDate.getTypes().get(0).getType());
    assertEquals(Schema.Type.LONG, eventDate.getTypes().get(1).getType());
  }

  private static Map<String, String> asMap(GenericRecord record) {
    Map<String, String> out = new HashMap<>();
    record
        .getSchema()
        .getFields()
        .forEach(f -> out.put(f.name(), String.valueOf(record.get(f.name()))));
    return out;
  }
}
