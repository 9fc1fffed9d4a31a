package io.leakwatch.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.leakwatch.alert.AlertSink;
import io.leakwatch.alert.ConsoleAlertSink;
import io.leakwatch.alert.JsonLinesAlertSink;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The top-level {@code alerts:} key as the engine understood it before configurable sinks:
 * {@code console: true|false} and {@code jsonl: FILE}. Kept in this one place so the sink
 * configuration ({@code io.leakwatch.alert.SinkConfig}) can replace it as a whole.
 */
public record AlertsConfig(boolean console, Path jsonl) {
  static AlertsConfig parse(JsonNode alerts, String source, Path baseDir, Map<String, String> env) {
    if (alerts == null || alerts.isNull()) {
      return new AlertsConfig(true, null);
    }
    if (!alerts.isObject()) {
      throw new ConfigException(source, "alerts", "must be a mapping");
    }
    alerts.fieldNames().forEachRemaining(name -> {
      if (!name.equals("console") && !name.equals("jsonl")) {
        throw new ConfigException(source, "alerts." + name, "unknown key (expected one of [console, jsonl])");
      }
    });
    JsonNode console = alerts.get("console");
    if (console != null && !console.isBoolean()) {
      throw new ConfigException(source, "alerts.console", "must be true or false");
    }
    Path jsonl = null;
    if (alerts.hasNonNull("jsonl")) {
      String file = EngineConfig.substitute(alerts.get("jsonl").asText(), source, "alerts.jsonl", env);
      jsonl = baseDir.resolve(file);
    }
    return new AlertsConfig(console == null || console.asBoolean(), jsonl);
  }

  /** Opens the sinks; the console one prints to {@code console}. */
  public List<AlertSink> open(PrintStream consoleOut) {
    List<AlertSink> sinks = new ArrayList<>();
    if (console) {
      sinks.add(new ConsoleAlertSink(consoleOut));
    }
    if (jsonl != null) {
      try {
        sinks.add(new JsonLinesAlertSink(jsonl));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open alerts file " + jsonl, e);
      }
    }
    return sinks;
  }
}
