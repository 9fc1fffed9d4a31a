package io.leakwatch.harness;

import io.leakwatch.alert.AlertJson;
import io.leakwatch.decision.Alert;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The alerts a JSON Lines sink wrote, in order; a missing file holds none. */
public final class AlertsFile {
  private AlertsFile() {}

  public static List<Alert> read(Path file) {
    List<Alert> alerts = new ArrayList<>();
    try {
      if (Files.exists(file)) {
        for (String line : Files.readAllLines(file)) {
          if (!line.isBlank()) {
            alerts.add(AlertJson.fromJson(line));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return alerts;
  }
}
