package io.leakwatch.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leakwatch.decision.Alert;
import java.time.Instant;
import java.util.Locale;

/**
 * An alert as a Slack incoming-webhook message: {@code text} (the notification line) and Block Kit
 * {@code blocks} with rule, severity, principal id and counts. It holds no links, and Slack's
 * control characters are escaped so nothing in an alert can become a mention or a link.
 */
public final class SlackMessage {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private SlackMessage() {}

  public static String toJson(Alert alert) {
    String drill = alert.drill() ? "DRILL, not a real incident: " : "";
    String summary =
        drill
            + "["
            + alert.severity().label().toUpperCase(Locale.ROOT)
            + "] "
            + alert.ruleId()
            + " "
            + alert.title()
            + ", principal "
            + alert.principal()
            + ", count "
            + alert.count();
    ObjectNode root = MAPPER.createObjectNode();
    root.put("text", escape(summary));
    ArrayNode blocks = root.putArray("blocks");
    ObjectNode header = blocks.addObject();
    header.put("type", "header");
    header
        .putObject("text")
        .put("type", "plain_text")
        .put(
            "text",
            truncate((alert.drill() ? "DRILL: " : "") + alert.ruleId() + " " + alert.title(), 150));
    ObjectNode section = blocks.addObject();
    section.put("type", "section");
    ArrayNode fields = section.putArray("fields");
    field(
        fields,
        "Severity",
        alert.severity().label()
            + (alert.revision() > 1 ? " (revision " + alert.revision() + ")" : ""));
    field(fields, "Rule", alert.ruleId());
    field(
        fields,
        "Principal id",
        alert.principal() + (alert.integration() != null ? " (" + alert.integration() + ")" : ""));
    field(fields, "Count", Long.toString(alert.count()));
    field(fields, "Objects", alert.objects().isEmpty() ? "-" : alert.objects());
    field(
        fields,
        "Events",
        alert.evidence().size()
            + (alert.streams().isEmpty() ? "" : " from " + String.join(", ", alert.streams())));
    field(fields, "First event", Instant.ofEpochMilli(alert.firstEventTime()).toString());
    field(fields, "Last event", Instant.ofEpochMilli(alert.lastEventTime()).toString());
    ObjectNode context = blocks.addObject();
    context.put("type", "context");
    context
        .putArray("elements")
        .addObject()
        .put("type", "mrkdwn")
        .put(
            "text",
            escape(
                "alert "
                    + alert.deliveryKey()
                    + (alert.incident() != null ? ", incident " + alert.incident() : "")
                    + (alert.drill() ? ", drill" : "")));
    try {
      return MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void field(ArrayNode fields, String name, String value) {
    fields.addObject().put("type", "mrkdwn").put("text", "*" + name + "*\n" + escape(value));
  }

  /**
   * Slack's three control characters; with them escaped, {@code <...>} links and mentions cannot
   * form.
   */
  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String truncate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max - 1) + "…";
  }
}
