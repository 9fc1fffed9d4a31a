package io.leakwatch.drill;

import io.leakwatch.engine.LeakwatchEngine;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The engine's version as Maven built it, for the evidence header of a drill report. */
final class EngineVersion {
  private static final String POM_PROPERTIES =
      "/META-INF/maven/io.leakwatch/leakwatch-engine/pom.properties";

  private EngineVersion() {}

  /**
   * leakwatch-engine's version, or "development build" when running from compiled classes rather
   * than a jar.
   */
  static String current() {
    try (InputStream in = LeakwatchEngine.class.getResourceAsStream(POM_PROPERTIES)) {
      if (in != null) {
        Properties properties = new Properties();
        properties.load(in);
        String version = properties.getProperty("version");
        if (version != null && !version.isBlank()) {
          return "leakwatch-engine " + version;
        }
      }
    } catch (IOException e) {
      // Fall through: an unreadable version is reported as unknown rather than failing the drill.
    }
    return "leakwatch-engine (development build, version unknown)";
  }
}
