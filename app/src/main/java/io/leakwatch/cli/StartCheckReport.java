package io.leakwatch.cli;

import io.leakwatch.config.EngineConfig;
import io.leakwatch.config.StartChecks;
import io.leakwatch.preflight.Preflight;
import io.leakwatch.rulepack.RulePackLoader;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Runs {@link StartChecks} and prints its findings in the {@code file: key: problem} form of every
 * configuration error: errors to {@code err}, warnings to {@code notes}.
 */
final class StartCheckReport {
  private StartCheckReport() {}

  /** True when nothing would stop {@code run} from starting. */
  static boolean passes(Path file, EngineConfig config, PrintStream notes, PrintStream err) {
    Preflight checks =
        StartChecks.of(
            config,
            dir -> dir == null ? RulePackLoader.defaultPack() : RulePackLoader.fromDirectory(dir));
    for (Preflight.Finding finding : checks.findings()) {
      if (finding.level() == Preflight.Level.ERROR) {
        err.println(file + ": " + finding.key() + ": " + finding.message());
      } else {
        notes.println(file + ": warning: " + finding.key() + ": " + finding.message());
      }
    }
    return !checks.hasErrors();
  }
}
