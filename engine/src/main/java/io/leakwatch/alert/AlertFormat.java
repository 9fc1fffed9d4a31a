package io.leakwatch.alert;

import io.leakwatch.decision.Alert;
import java.util.Locale;

/**
 * How an alert is written as one JSON document: Leakwatch's own form, or an OCSF Detection Finding.
 */
public enum AlertFormat {
  LEAKWATCH,
  OCSF;

  public String render(Alert alert) {
    return this == OCSF ? OcsfDetectionFinding.toJson(alert) : AlertJson.toJson(alert);
  }

  public static AlertFormat parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "leakwatch", "json" -> LEAKWATCH;
      case "ocsf" -> OCSF;
      default ->
          throw new IllegalArgumentException("must be leakwatch or ocsf, was '" + text + "'");
    };
  }
}
