package io.leakwatch.alert;

import io.leakwatch.decision.Alert;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Locale;

/** One readable line per alert on a terminal. */
public final class ConsoleAlertSink implements AlertSink {
  private final PrintStream out;

  public ConsoleAlertSink(PrintStream out) {
    this.out = out;
  }

  @Override
  public void accept(Alert alert) {
    out.println(line(alert));
  }

  public static String line(Alert alert) {
    String who =
        alert.integration() == null
            ? alert.principal()
            : alert.principal() + " (" + alert.integration() + ")";
    return String.format(
        Locale.ROOT,
        "ALERT %-8s %-7s %s  principal=%s count=%d objects=%s events=%d%s at %s%s",
        alert.severity().label().toUpperCase(Locale.ROOT),
        alert.ruleId(),
        alert.title(),
        who,
        alert.count(),
        alert.objects().isEmpty() ? "-" : alert.objects(),
        alert.evidence().size(),
        alert.streams().isEmpty() ? "" : " from " + String.join(",", alert.streams()),
        Instant.ofEpochMilli(alert.detectedAt()),
        (alert.drill() ? " [drill]" : "")
            + (alert.revision() > 1 ? " [revision " + alert.revision() + "]" : "")
            + (alert.incident() != null ? " [incident " + alert.incident() + "]" : "")
            + (alert.suppression() != null ? " [suppressed: " + alert.suppression() + "]" : ""));
  }
}
