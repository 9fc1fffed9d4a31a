package io.leakwatch.alert;

import io.leakwatch.decision.Alert;
import io.leakwatch.rulepack.Severity;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An alert in ArcSight Common Event Format: {@code CEF:0|Leakwatch|Leakwatch|version|rule
 * id|title|severity|extension}. Header fields escape {@code \} and {@code |}; extension values
 * escape {@code \}, {@code =} and line breaks.
 */
public final class CefMessage {
  private CefMessage() {}

  /** CEF severity 0-10: info 1, low 3, medium 5, high 8, critical 10. A marked drill is 0. */
  static int severity(Severity severity) {
    return switch (severity) {
      case INFO -> 1;
      case LOW -> 3;
      case MEDIUM -> 5;
      case HIGH -> 8;
      case CRITICAL -> 10;
    };
  }

  public static String format(Alert alert) {
    String name = (alert.drill() ? "[DRILL] " : "") + alert.title();
    // A drill must not cross a SIEM's paging threshold: its real severity stays in cs5.
    int cefSeverity = alert.drill() ? 0 : severity(alert.severity());
    StringBuilder out =
        new StringBuilder("CEF:0|")
            .append(header(Product.VENDOR))
            .append('|')
            .append(header(Product.NAME))
            .append('|')
            .append(header(Product.VERSION))
            .append('|')
            .append(header(alert.ruleId()))
            .append('|')
            .append(header(name))
            .append('|')
            .append(cefSeverity)
            .append('|');
    Map<String, String> ext = new LinkedHashMap<>();
    ext.put("externalId", alert.deliveryKey());
    ext.put("rt", Long.toString(alert.detectedAt()));
    ext.put("start", Long.toString(alert.firstEventTime()));
    ext.put("end", Long.toString(alert.lastEventTime()));
    ext.put("suid", alert.principal());
    ext.put("cnt", Integer.toString(alert.evidence().size()));
    ext.put("cn1", Long.toString(alert.count()));
    ext.put("cn1Label", "count");
    ext.put("cn2", Integer.toString(alert.revision()));
    ext.put("cn2Label", "revision");
    ext.put("cs1", alert.objects());
    ext.put("cs1Label", "objects");
    if (alert.integration() != null) {
      ext.put("cs2", alert.integration());
      ext.put("cs2Label", "integration");
    }
    if (alert.incident() != null) {
      ext.put("cs3", alert.incident());
      ext.put("cs3Label", "incident");
    }
    if (!alert.attack().isEmpty()) {
      ext.put("cs4", String.join(",", alert.attack()));
      ext.put("cs4Label", "attack");
    }
    ext.put("cs5", alert.severity().label());
    ext.put("cs5Label", "leakwatchSeverity");
    if (alert.suppression() != null) {
      ext.put("cs6", alert.suppression());
      ext.put("cs6Label", "suppression");
    }
    ext.put("cat", alert.drill() ? "drill" : alert.suppression() != null ? "suppressed" : "alert");
    if (!alert.reasons().isEmpty()) {
      ext.put("msg", String.join("; ", alert.reasons()));
    }
    String separator = "";
    for (Map.Entry<String, String> e : ext.entrySet()) {
      out.append(separator).append(e.getKey()).append('=').append(extension(e.getValue()));
      separator = " ";
    }
    return out.toString();
  }

  /** Header fields: backslash and pipe are escaped; a header cannot hold a line break. */
  static String header(String value) {
    StringBuilder out = new StringBuilder();
    for (char c : (value == null ? "" : value).toCharArray()) {
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '|' -> out.append("\\|");
        case '\r', '\n' -> out.append(' ');
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** Extension values: backslash, equals sign and line breaks are escaped; a pipe needs none. */
  static String extension(String value) {
    StringBuilder out = new StringBuilder();
    for (char c : (value == null ? "" : value).toCharArray()) {
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '=' -> out.append("\\=");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
