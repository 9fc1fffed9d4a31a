package io.leakwatch.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leakwatch.decision.Alert;
import io.leakwatch.decision.ResponseAction;
import io.leakwatch.decision.ResponseRequest;
import io.leakwatch.decision.Subjects;
import io.leakwatch.rulepack.Severity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON form of an alert, one object per line in JSON Lines files. Field order is fixed. */
public final class AlertJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private AlertJson() {}

  public static String toJson(Alert alert) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("id", alert.id());
    node.put("ruleId", alert.ruleId());
    node.put("title", alert.title());
    node.put("severity", alert.severity().label());
    node.put("principal", alert.principal());
    // The principal is the actor; said in so many words for readers that map actor and subjects.
    node.put("actor", alert.principal());
    if (alert.integration() != null) {
      node.put("integration", alert.integration());
    }
    Subjects subjects = alert.subjects();
    if (!subjects.isEmpty()) {
      ObjectNode out = node.putObject("subjects");
      strings(out.putArray("users"), subjects.users());
      strings(out.putArray("sessions"), subjects.sessions());
      strings(out.putArray("connectedApps"), subjects.connectedApps());
    }
    node.put("count", alert.count());
    node.put("objects", alert.objects());
    node.put("firstEventTime", Instant.ofEpochMilli(alert.firstEventTime()).toString());
    node.put("lastEventTime", Instant.ofEpochMilli(alert.lastEventTime()).toString());
    node.put("detectedAt", Instant.ofEpochMilli(alert.detectedAt()).toString());
    strings(node.putArray("evidence"), alert.evidence());
    strings(node.putArray("streams"), alert.streams());
    strings(node.putArray("reasons"), alert.reasons());
    strings(node.putArray("decidedBy"), alert.decidedBy());
    strings(node.putArray("attack"), alert.attack());
    ObjectNode controls = node.putObject("controls");
    alert.controls().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> strings(controls.putArray(e.getKey()), e.getValue()));
    node.put("drill", alert.drill());
    node.put("revision", alert.revision());
    if (alert.incident() != null) {
      node.put("incident", alert.incident());
    }
    if (alert.suppression() != null) {
      node.put("suppressed", true);
      node.put("suppression", alert.suppression());
    }
    if (!alert.responses().isEmpty()) {
      ArrayNode responses = node.putArray("responses");
      for (ResponseRequest request : alert.responses()) {
        ObjectNode r = responses.addObject();
        r.put("action", request.action().label());
        r.put("requestedBy", request.requestedBy());
        r.put("needsApproval", request.needsApproval());
      }
    }
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads an alert back from its JSON line (for reports and tests); latency is not kept. */
  public static Alert fromJson(String json) throws JsonProcessingException {
    ObjectNode node = (ObjectNode) MAPPER.readTree(json);
    Map<String, List<String>> controls = new LinkedHashMap<>();
    node.path("controls")
        .fields()
        .forEachRemaining(e -> controls.put(e.getKey(), list(e.getValue())));
    return Alert.builder()
        .id(node.path("id").asText())
        .ruleId(node.path("ruleId").asText())
        .title(node.path("title").asText())
        .severity(Severity.parse(node.path("severity").asText()))
        .principal(node.path("principal").asText())
        .integration(node.hasNonNull("integration") ? node.get("integration").asText() : null)
        .subjects(
            new Subjects(
                list(node.path("subjects").path("users")),
                list(node.path("subjects").path("sessions")),
                list(node.path("subjects").path("connectedApps"))))
        .count(node.path("count").asLong())
        .objects(node.path("objects").asText())
        .firstEventTime(Instant.parse(node.path("firstEventTime").asText()).toEpochMilli())
        .lastEventTime(Instant.parse(node.path("lastEventTime").asText()).toEpochMilli())
        .detectedAt(Instant.parse(node.path("detectedAt").asText()).toEpochMilli())
        .evidence(list(node.path("evidence")))
        .streams(list(node.path("streams")))
        .reasons(list(node.path("reasons")))
        .decidedBy(list(node.path("decidedBy")))
        .attack(list(node.path("attack")))
        .controls(controls)
        .drill(node.path("drill").asBoolean())
        .revision(node.path("revision").asInt(1))
        .incident(node.hasNonNull("incident") ? node.get("incident").asText() : null)
        .suppression(node.hasNonNull("suppression") ? node.get("suppression").asText() : null)
        .responses(responses(node.path("responses")))
        .build();
  }

  private static List<ResponseRequest> responses(com.fasterxml.jackson.databind.JsonNode array) {
    List<ResponseRequest> out = new ArrayList<>();
    array.forEach(
        n ->
            out.add(
                new ResponseRequest(
                    ResponseAction.parse(n.path("action").asText()),
                    n.path("requestedBy").asText(),
                    n.path("needsApproval").asBoolean())));
    return out;
  }

  private static List<String> list(com.fasterxml.jackson.databind.JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static void strings(ArrayNode array, List<String> values) {
    values.forEach(array::add);
  }
}
