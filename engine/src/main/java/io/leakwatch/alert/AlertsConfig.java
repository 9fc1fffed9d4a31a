package io.leakwatch.alert;

import java.nio.file.Path;
import java.util.List;

/**
 * What the top-level {@code alerts:} key asks for, for the summary: the console, the plain {@code
 * jsonl} file and which other sink kinds are configured. The section itself, with every check of
 * its settings, is owned by {@link io.leakwatch.alert.SinkConfig}.
 */
public record AlertsConfig(boolean console, Path jsonl, List<String> others) {
  public AlertsConfig {
    others = List.copyOf(others);
  }
}
