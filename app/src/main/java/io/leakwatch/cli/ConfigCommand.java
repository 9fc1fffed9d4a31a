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
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code leakwatch config check FILE}: everything {@code run} checks before it connects (the file,
 * each org's profile, each rule pack compiled), then a summary of what it would run. Never prints a
 * secret. Folders it cannot create or write, topics the pack does not know, certificates or keys
 * that do not parse and ports in use are errors; a topic no rule reads and a {@code
 * staleAfterSeconds} below Salesforce's keepalive are warnings. Exit 0 when it would start, 2 with
 * the file, key and problem when it would not.
 */
@Command(
    name = "config",
    description = "Check a configuration file.",
    subcommands = ConfigCommand.Check.class)
final class ConfigCommand {
  @Command(
      name = "check",
      description =
          "Validate a configuration (profiles, rules compiled) and print what run would do; never"
              + " prints a secret. Exit 2 with the file, key and problem when run would not start.")
  static final class Check implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "the configuration file")
    Path file;

    @Override
    public Integer call() throws Exception {
      return check(file, Leakwatch.root(spec).out(), Leakwatch.root(spec).err());
    }
  }

  private ConfigCommand() {}

  static int check(Path file, PrintStream out, PrintStream err) {
    EngineConfig config = EngineConfig.load(file, System.getenv());
    Map<Path, RulePack> compiled = new HashMap<>();
    for (OrgConfig org : config.orgs()) {
      if (java.nio.file.Files.isRegularFile(org.profile())) {
        OrgProfileLoader.load(org.profile()); // a missing one is reported by key below, as run does
      }
      compiled.computeIfAbsent(
          org.rules(),
          dir -> {
            RulePack pack =
                dir == null ? RulePackLoader.defaultPack() : RulePackLoader.fromDirectory(dir);
            CompiledPack.validate(pack); // every error with file and line; nothing made to run
            return pack;
          });
    }
    // Sinks check their settings (a webhook's secret, a syslog certificate, one spool folder each)
    // without opening: a running engine may hold the spools, and their alerts are its to deliver.
    config.checkSinks();
    // Folders, topics, certificates and ports: what run would fail on once it starts.
    if (!StartCheckReport.passes(file, config, out, err)) {
      return 2;
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
