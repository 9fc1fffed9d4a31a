package io.leakwatch.sim.scenario;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Loads scenario files: the built-in library (shipped in the build under {@code
 * leakwatch/scenarios}) or a folder of the user's own {@code *.yaml} files. Ordered by expected
 * rule, then id, so a run stages them in the same order every time.
 */
public final class ScenarioLibrary {
  private static final String BUILT_IN = "leakwatch/scenarios/";
  private static volatile List<Scenario> builtIn;

  private ScenarioLibrary() {}

  public static List<Scenario> builtIn() {
    List<Scenario> loaded = builtIn;
    if (loaded == null) {
      URL marker = ScenarioLibrary.class.getClassLoader().getResource(BUILT_IN + "README.md");
      if (marker == null) {
        throw new IllegalStateException(
            "the built-in scenario library is not on the classpath (" + BUILT_IN + ")");
      }
      try {
        loaded = fromDirectory(io.leakwatch.rulepack.ClasspathFolder.of(marker));
      } catch (IOException e) {
        throw new IllegalStateException("cannot read the built-in scenarios: " + e.getMessage(), e);
      }
      builtIn = loaded;
    }
    return loaded;
  }

  /** Every {@code *.yaml} scenario in {@code dir}; ids must be unique. */
  public static List<Scenario> fromDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new ScenarioException(dir.toString(), null, "scenario folder does not exist");
    }
    Map<String, ScenarioFile> byId = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file :
          files.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().toList()) {
        ScenarioFile scenario =
            ScenarioFile.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        ScenarioFile clash = byId.put(scenario.id(), scenario);
        if (clash != null) {
          throw new ScenarioException(
              file.toString(), "id", "'" + scenario.id() + "' is also the id of " + clash.origin());
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    List<Scenario> out = new ArrayList<>(byId.values());
    out.sort(
        Comparator.comparing((Scenario s) -> s.expectedRules().get(0)).thenComparing(Scenario::id));
    return List.copyOf(out);
  }
}
