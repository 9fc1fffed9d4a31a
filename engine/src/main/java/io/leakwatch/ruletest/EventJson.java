package io.leakwatch.ruletest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An event written as JSON with Salesforce's field names, plus {@code channel} naming its stream
 * (e.g. {@code /event/ApiEventStream}). Datetimes may be epoch millis or ISO-8601 text.
 */
public record EventJson(String channel, Map<String, Object> fields) {
  public static EventJson parse(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("an event must be a JSON object");
    }
    JsonNode channel = node.get("channel");
    if (channel == null || !channel.isTextual() || channel.asText().isBlank()) {
      throw new IllegalArgumentException(
          "an event needs \"channel\", e.g. \"/event/ApiEventStream\"");
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (!field.getKey().equals("channel")) {
        fields.put(field.getKey(), value(field.getValue()));
      }
    }
    return new EventJson(channel.asText(), fields);
  }

  private static Object value(JsonNode node) {
    if (node.isNull()) {
      return null;
    }
    if (node.isIntegralNumber()) {
      return node.asLong();
    }
    if (node.isNumber()) {
      return node.asDouble();
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    return node.isTextual() ? node.asText() : node.toString();
  }
}
