package io.leakwatch.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * Reads the delivery key (alert id, and {@code #revision} past the first) back from a written line,
 * in either format.
 */
final class DeliveryKeys {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DeliveryKeys() {}

  /** The key, or null for a blank or torn line. */
  static String of(String line) {
    if (line.isBlank()) {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(line);
      if (node == null || !node.isObject()) {
        return null;
      }
      if (node.has("class_uid")) {
        JsonNode uid = node.path("metadata").path("uid");
        return uid.isTextual() ? uid.asText() : null;
      }
      if (!node.hasNonNull("id")) {
        return null;
      }
      int revision = node.path("revision").asInt(1);
      return revision == 1 ? node.get("id").asText() : node.get("id").asText() + "#" + revision;
    } catch (IOException e) {
      return null;
    }
  }
}
