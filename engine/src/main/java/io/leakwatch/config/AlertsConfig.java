package io.leakwatch.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the top-level {@code alerts:} key asks for, for the summary: the console, the plain {@code
 * jsonl} file and which other sink kinds are configured. The sinks themselves, with every check of
 * their settings, come from {@link io.leakwatch.alert.SinkConfig} when they are opened.
 */
public record AlertsConfig(boolean console, Path jsonl, List<String> others) {
  private static final List<String> KINDS =
      List.of("console", "jsonl", "files", "webhooks", "slack", "syslog", "ocsf", "salesforce");

  static AlertsConfig parse(JsonNode alerts, String source, Path baseDir, Map<String, String> env) {
    if (alerts == null || alerts.isNull()) {
      return new AlertsConfig(true, null, List.of());
    }
    if (!alerts.isObject()) {
      throw new ConfigException(source, "alerts", "must be a mapping");
    }
    alerts
        .fieldNames()
        .forEachRemaining(
            name -> {
              if (!KINDS.contains(name)) {
                throw new ConfigException(
                    source,
                    "alerts." + name,
                    "unknown key (expected one of " + new java.util.TreeSet<>(KINDS) + ")");
              }
            });
    JsonNode console = alerts.get("console");
    if (console != null && !console.isBoolean()) {
      throw new ConfigException(source, "alerts.console", "must be true or false");
    }
    Path jsonl = null;
    if (alerts.hasNonNull("jsonl")) {
      String file =
          EngineConfig.substitute(alerts.get("jsonl").asText(), source, "alerts.jsonl", env);
      jsonl = baseDir.resolve(file);
    }
    List<String> others = new ArrayList<>();
    for (String kind : KINDS.subList(2, KINDS.size())) {
      if (alerts.hasNonNull(kind)) {
        others.add(kind + (alerts.get(kind).isArray() ? " ×" + alerts.get(kind).size() : ""));
      }
    }
    return new AlertsConfig(console == null || console.asBoolean(), jsonl, List.copyOf(others));
  }
}
