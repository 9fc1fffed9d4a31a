package io.leakwatch.sim.traffic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;

/**
 * A simulated event as one JSON line: {@code channel} plus every field under its Salesforce name.
 */
public final class EventLines {
  private static final ObjectMapper JSON = new ObjectMapper();

  private EventLines() {}

  public static String toJson(SimEvent event) {
    ObjectNode node = JSON.createObjectNode();
    node.put("channel", event.topic());
    for (Schema.Field field : event.record().getSchema().getFields()) {
      Object value = event.record().get(field.pos());
      if (value == null) {
        node.putNull(field.name());
      } else if (value instanceof Long l) {
        node.put(field.name(), l);
      } else if (value instanceof Integer i) {
        node.put(field.name(), i);
      } else if (value instanceof Double d) {
        node.put(field.name(), d);
      } else if (value instanceof Boolean b) {
        node.put(field.name(), b);
      } else {
        node.put(field.name(), value.toString());
      }
    }
    try {
      return JSON.writeValueAsString(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
