package io.leakwatch.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leakwatch.cep.SavedTable;
import io.leakwatch.pubsub.ReplayId;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The saved form of learned state, one JSON document, the same in a file and in the shared store.
 * Versioned; each table carries its shape, so a pack that changed a table is detected.
 */
public final class LearnedStateJson {
  static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  private LearnedStateJson() {}

  /** The saved form of {@code state}. */
  public static byte[] write(LearnedState state) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", VERSION);
    root.put("savedAt", Instant.now().toString());
    root.put("eventTime", state.eventTime());
    root.put("watchedSince", state.watchedSince());
    ObjectNode positions = root.putObject("positions");
    state
        .positions()
        .forEach(
            (topic, p) -> {
              ObjectNode t = positions.putObject(topic);
              t.put("after", p.after() == null ? null : p.after().toHex());
              t.put("eventTime", p.eventTime());
            });
    ObjectNode tables = root.putObject("tables");
    state
        .tables()
        .forEach(
            (id, table) -> {
              ObjectNode t = tables.putObject(id);
              t.put("shape", table.shape());
              ArrayNode columns = t.putArray("columns");
              table.columns().forEach(columns::add);
              ArrayNode rows = t.putArray("rows");
              for (List<Object> row : table.rows()) {
                rows.add(JSON.valueToTree(row));
              }
            });
    if (state.loginHistory() != null) {
      state.loginHistory().toJson(root.putObject("loginHistory"));
    }
    return JSON.writeValueAsBytes(root);
  }

  /**
   * Reads a saved form back.
   *
   * @throws IllegalArgumentException saying what is wrong when {@code bytes} is not one
   */
  public static LearnedState read(byte[] bytes) {
    try {
      JsonNode root = JSON.readTree(bytes);
      if (root == null || !root.isObject()) {
        throw new IllegalArgumentException("not a JSON object");
      }
      if (root.path("version").asInt() != VERSION) {
        throw new IllegalArgumentException(
            "version " + root.path("version") + " (this Leakwatch reads version " + VERSION + ")");
      }
      Map<String, LearnedState.Position> positions = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = object(root, "positions").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        JsonNode after = entry.getValue().get("after");
        positions.put(
            entry.getKey(),
            new LearnedState.Position(
                after == null || after.isNull() ? null : ReplayId.fromHex(text(after, "after")),
                number(entry.getValue(), "eventTime")));
      }
      Map<String, SavedTable> tables = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = object(root, "tables").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        tables.put(entry.getKey(), table(entry.getValue()));
      }
      // Absent when saved without the poll, or by a Leakwatch that kept its cursor apart.
      JsonNode loginHistory = root.get("loginHistory");
      return new LearnedState(
          number(root, "eventTime"),
          number(root, "watchedSince"),
          positions,
          tables,
          loginHistory == null ? null : LoginCursor.fromJson(object(root, "loginHistory")));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  private static SavedTable table(JsonNode t) {
    List<String> columns = new ArrayList<>();
    for (JsonNode column : array(t, "columns")) {
      columns.add(text(column, "column"));
    }
    List<List<Object>> rows = new ArrayList<>();
    for (JsonNode row : array(t, "rows")) {
      if (!row.isArray() || row.size() != columns.size()) {
        throw new IllegalArgumentException("a row does not have " + columns.size() + " values");
      }
      List<Object> values = new ArrayList<>(columns.size());
      for (JsonNode value : row) {
        values.add(value(value));
      }
      rows.add(java.util.Collections.unmodifiableList(values));
    }
    return new SavedTable(text(t.get("shape"), "shape"), columns, rows);
  }

  private static Object value(JsonNode value) {
    if (value.isNull()) {
      return null;
    }
    if (value.isTextual()) {
      return value.asText();
    }
    if (value.isBoolean()) {
      return value.asBoolean();
    }
    if (value.isIntegralNumber()) {
      return value.asLong();
    }
    if (value.isNumber()) {
      return value.asDouble();
    }
    throw new IllegalArgumentException("a value is a " + value.getNodeType());
  }

  private static JsonNode object(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isObject()) {
      throw new IllegalArgumentException(field + " is not an object");
    }
    return value;
  }

  private static JsonNode array(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isArray()) {
      throw new IllegalArgumentException(field + " is not an array");
    }
    return value;
  }

  private static String text(JsonNode node, String what) {
    if (node == null || !node.isTextual()) {
      throw new IllegalArgumentException(what + " is not a string");
    }
    return node.asText();
  }

  private static long number(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.canConvertToLong()) {
      throw new IllegalArgumentException(field + " is not a number");
    }
    return value.asLong();
  }
}
