package io.leakwatch.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leakwatch.decision.Alert;
import io.leakwatch.decision.Subjects;
import io.leakwatch.rulepack.Severity;
import java.util.Arrays;

/**
 * An alert as an OCSF 1.8 Detection Finding (class_uid 2004, category Findings). Only ids, counts,
 * object names and times go in: the principal is a user id, resources are object API names.
 */
public final class OcsfDetectionFinding {
  static final String SCHEMA_VERSION = "1.8.0";
  static final int CLASS_UID = 2004;
  static final int CATEGORY_UID = 2;

  /** OCSF observable type_id of a user uid ({@code user.uid}). */
  static final int OBSERVABLE_USER_UID = 31;

  /** OCSF observable type_id of a Resource UID. */
  static final int OBSERVABLE_RESOURCE_UID = 10;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private OcsfDetectionFinding() {}

  /** OCSF severity_id: 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical. */
  static int severityId(Severity severity) {
    return switch (severity) {
      case INFO -> 1;
      case LOW -> 2;
      case MEDIUM -> 3;
      case HIGH -> 4;
      case CRITICAL -> 5;
    };
  }

  static String severityName(Severity severity) {
    return severity == Severity.INFO ? "Informational" : capitalized(severity.label());
  }

  public static ObjectNode toNode(Alert alert) {
    // A later revision of the same alert updates the finding it created.
    int activityId = alert.revision() > 1 ? 2 : 1;
    ObjectNode node = MAPPER.createObjectNode();
    node.put("class_uid", CLASS_UID);
    node.put("class_name", "Detection Finding");
    node.put("category_uid", CATEGORY_UID);
    node.put("category_name", "Findings");
    node.put("activity_id", activityId);
    node.put("activity_name", activityId == 1 ? "Create" : "Update");
    node.put("type_uid", CLASS_UID * 100 + activityId);
    node.put("type_name", "Detection Finding: " + (activityId == 1 ? "Create" : "Update"));
    node.put("time", alert.detectedAt());
    node.put("severity_id", severityId(alert.severity()));
    node.put("severity", severityName(alert.severity()));
    // Suppressed by the org profile: recorded, but it is not asking anyone for attention.
    boolean suppressed = alert.suppression() != null;
    node.put("status_id", suppressed ? 3 : 1);
    node.put("status", suppressed ? "Suppressed" : "New");
    node.put("is_alert", !alert.drill() && !suppressed);
    node.put("message", (alert.drill() ? "[DRILL] " : "") + alert.title());
    node.put("count", alert.count());

    ObjectNode info = node.putObject("finding_info");
    info.put("uid", alert.id());
    info.put("title", alert.title());
    if (!alert.reasons().isEmpty()) {
      info.put("desc", String.join("; ", alert.reasons()));
    }
    ArrayNode types = info.putArray("types");
    types.add("PHI Exfiltration");
    if (alert.drill()) {
      types.add("Drill");
    }
    info.put("first_seen_time", alert.firstEventTime());
    info.put("last_seen_time", alert.lastEventTime());
    info.put("created_time", alert.detectedAt());
    ObjectNode analytic = info.putObject("analytic");
    analytic.put("uid", alert.ruleId());
    analytic.put("name", alert.title());
    analytic.put("type_id", 1);
    analytic.put("type", "Rule");
    if (!alert.attack().isEmpty()) {
      ArrayNode attacks = info.putArray("attacks");
      alert
          .attack()
          .forEach(technique -> attacks.addObject().putObject("technique").put("uid", technique));
    }
    if (!alert.evidence().isEmpty()) {
      ArrayNode related = info.putArray("related_events");
      // Each related event's type is its stream when the alert's events all came from one.
      String type = alert.streams().size() == 1 ? alert.streams().get(0) : null;
      alert
          .evidence()
          .forEach(
              eventId -> {
                ObjectNode event = related.addObject().put("uid", eventId);
                if (type != null) {
                  event.put("type", type);
                }
              });
    }

    ObjectNode metadata = node.putObject("metadata");
    metadata.put("version", SCHEMA_VERSION);
    metadata.put("uid", alert.deliveryKey());
    if (alert.incident() != null) {
      metadata.put("correlation_uid", alert.incident());
    }
    ObjectNode product = metadata.putObject("product");
    product.put("name", Product.NAME);
    product.put("vendor_name", Product.VENDOR);
    product.put("version", Product.VERSION);

    ObjectNode actor = node.putObject("actor");
    actor.putObject("user").put("uid", alert.principal());
    Subjects subjects = alert.subjects();
    if (!subjects.sessions().isEmpty()) {
      actor.putObject("session").put("uid", subjects.sessions().get(0));
    }
    if (!subjects.connectedApps().isEmpty()) {
      actor.put("app_uid", subjects.connectedApps().get(0));
    }
    ArrayNode observables = node.putArray("observables");
    observables
        .addObject()
        .put("name", "actor.user.uid")
        .put("type_id", OBSERVABLE_USER_UID)
        .put("type", "User: uid")
        .put("value", alert.principal());
    // Users the actor's change or activity impacted (e.g. who received a permission).
    for (String user : subjects.users()) {
      observables
          .addObject()
          .put("name", "unmapped.subjects.users")
          .put("type_id", OBSERVABLE_USER_UID)
          .put("type", "User: uid")
          .put("value", user);
    }
    ArrayNode resources = node.putArray("resources");
    objectNames(alert)
        .forEach(
            object -> {
              resources
                  .addObject()
                  .put("uid", object)
                  .put("name", object)
                  .put("type", "Salesforce Object");
              observables
                  .addObject()
                  .put("name", "resources.uid")
                  .put("type_id", OBSERVABLE_RESOURCE_UID)
                  .put("type", "Resource UID")
                  .put("value", object);
            });

    ObjectNode unmapped = node.putObject("unmapped");
    unmapped.put("revision", alert.revision());
    unmapped.put("drill", alert.drill());
    if (alert.integration() != null) {
      unmapped.put("integration", alert.integration());
    }
    if (suppressed) {
      unmapped.put("suppression", alert.suppression());
    }
    if (!subjects.isEmpty()) {
      ObjectNode out = unmapped.putObject("subjects");
      subjects.users().forEach(out.withArray("users")::add);
      subjects.sessions().forEach(out.withArray("sessions")::add);
      subjects.connectedApps().forEach(out.withArray("connectedApps")::add);
    }
    return node;
  }

  public static String toJson(Alert alert) {
    try {
      return MAPPER.writeValueAsString(toNode(alert));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static java.util.List<String> objectNames(Alert alert) {
    if (alert.objects() == null || alert.objects().isBlank()) {
      return java.util.List.of();
    }
    return Arrays.stream(alert.objects().split("[,\\s]+"))
        .filter(s -> !s.isEmpty())
        .distinct()
        .toList();
  }

  private static String capitalized(String text) {
    return Character.toUpperCase(text.charAt(0)) + text.substring(1);
  }
}
