package io.leakwatch.cli;

import io.leakwatch.config.EngineConfig;
import io.leakwatch.config.OrgConfig;
import io.leakwatch.engine.CompiledPack;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackLoader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code leakwatch config check FILE}: everything {@code run} checks before it connects (the file,
 * each org's profile, each rule pack compiled), then a summary of what it would run. Never prints a
 * secret. Exit 0 when it would start, 2 with the file, key and problem when it would not.
 */
final class ConfigCommand {
  private ConfigCommand() {}

  static int run(List<String> argv, PrintStream out) {
    if (argv.isEmpty() || !argv.get(0).equals("check")) {
      throw new Args.UsageException("config needs a subcommand: check FILE");
    }
    Args args = new Args(argv.subList(1, argv.size()), Set.of(), 1);
    Path file = Path.of(args.positional(0, "the configuration file"));
    EngineConfig config = EngineConfig.load(file, System.getenv());
    Map<Path, RulePack> compiled = new HashMap<>();
    for (OrgConfig org : config.orgs()) {
      OrgProfileLoader.load(org.profile());
      compiled.computeIfAbsent(
          org.rules(),
          dir -> {
            RulePack pack =
                dir == null ? RulePackLoader.defaultPack() : RulePackLoader.fromDirectory(dir);
            CompiledPack.compile(pack);
            return pack;
          });
    }
    // Sinks check their settings as they open (a webhook's secret, a syslog certificate); closed at
    // once.
    for (var sink : config.openSinks(new PrintStream(java.io.OutputStream.nullOutputStream()))) {
      try {
        sink.close();
      } catch (java.io.IOException e) {
        out.println("  (closing a sink after the check: " + e.getMessage() + ")");
      }
    }
    out.println(
        file + ": OK, " + config.orgs().size() + " org" + (config.orgs().size() == 1 ? "" : "s"));
    for (String line : config.summary()) {
      out.println("  " + line);
    }
    compiled.forEach(
        (dir, pack) ->
            out.printf(
                "  rule pack %s %s from %s: %d rules, sha256 %s, compiles%n",
                pack.name(),
                pack.version(),
                dir == null ? "the build" : dir,
                pack.rules().size(),
                pack.sha256()));
    out.println(
        "  not checked here: that the endpoints answer and accept the credentials (run does, at start)");
    return 0;
  }
}
