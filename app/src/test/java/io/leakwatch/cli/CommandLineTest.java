package io.leakwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.rulepack.RulePackLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The command line as a new user meets it: help everywhere, suggestions for typos, the exit codes
 * scripts rely on, and what {@code --version} says.
 */
class CommandLineTest {
  @TempDir Path dir;

  /** Every command and sub-command, as the words that name it: [demo], [drill, verify], ... */
  private static List<List<String>> everyCommand() {
    List<List<String>> all = new ArrayList<>();
    collect(Leakwatch.commandLine(new Leakwatch()), new ArrayList<>(), all);
    return all;
  }

  private static void collect(CommandLine cli, List<String> path, List<List<String>> all) {
    cli.getSubcommands()
        .forEach(
            (name, sub) -> {
              if (name.equals("help")) {
                return;
              }
              List<String> words = new ArrayList<>(path);
              words.add(name);
              all.add(words);
              collect(sub, words, all);
            });
  }

  private static CommandLine.Model.CommandSpec spec(List<String> words) {
    CommandLine cli = Leakwatch.commandLine(new Leakwatch());
    for (String word : words) {
      cli = cli.getSubcommands().get(word);
    }
    return cli.getCommandSpec();
  }

  @Test
  void everyCommandAnswersHelpWithItsOptionsAndDefaults() {
    List<List<String>> commands = everyCommand();
    assertTrue(
        commands.containsAll(
            List.of(
                List.of("demo"),
                List.of("bench"),
                List.of("run"),
                List.of("config", "check"),
                List.of("health"),
                List.of("rules", "validate"),
                List.of("rules", "test"),
                List.of("replay"),
                List.of("drill"),
                List.of("drill", "prepare"),
                List.of("drill", "verify"),
                List.of("simulate"),
                List.of("audit", "verify"))),
        commands.toString());
    for (List<String> words : commands) {
      List<String> argv = new ArrayList<>(words);
      argv.add("--help");
      CliRun help = CliRun.of(argv.toArray(String[]::new));
      String name = String.join(" ", words);
      assertEquals(0, help.exit(), name + " --help: " + help.err());
      assertTrue(help.out().startsWith("Usage: leakwatch " + name), help.out());
      assertEquals("", help.err(), name);
      for (OptionSpec option : spec(words).options()) {
        assertTrue(help.out().contains(option.longestName()), name + " lists " + option);
        if (option.defaultValue() != null) {
          assertTrue(
              help.out().contains("Default: " + option.defaultValue()),
              name + " shows the default of " + option.longestName() + ":\n" + help.out());
        }
      }
    }
    // The options of the old hand-kept usage text are all still there.
    String simulate = CliRun.of("simulate", "--help").out();
    for (String option :
        List.of("--port", "--host", "--seed", "--users", "--seconds", "--out", "--date")) {
      assertTrue(simulate.contains(option), option);
    }
    assertTrue(simulate.contains("Default: 7443"), simulate);
    CliRun viaHelp = CliRun.of("help", "replay");
    assertEquals(0, viaHelp.exit());
    assertTrue(viaHelp.out().contains("--profile=FILE"), viaHelp.out());
  }

  @Test
  void aMistypedCommandOrOptionSuggestsTheRightOne() {
    CliRun swapped = CliRun.of("dmeo");
    assertEquals(2, swapped.exit());
    assertTrue(swapped.err().contains("Did you mean: demo?"), swapped.err());
    CliRun missing = CliRun.of("simlate", "--port", "0");
    assertEquals(2, missing.exit());
    assertTrue(missing.err().contains("simulate"), missing.err());
    CliRun option = CliRun.of("demo", "--sed", "3");
    assertEquals(2, option.exit());
    assertTrue(option.err().contains("--seed"), option.err());
    CliRun sub = CliRun.of("drill", "verfy", dir.toString());
    assertEquals(2, sub.exit());
    assertTrue(sub.err().contains("verify"), sub.err());
    CliRun nothingNear = CliRun.of("xyzzy");
    assertEquals(2, nothingNear.exit());
    assertFalse(nothingNear.err().contains("Did you mean"), nothingNear.err());
    assertTrue(nothingNear.err().contains("Commands:"), "else the whole usage: " + nothingNear);
  }

  @Test
  void exitCodesAreZeroOneAndTwo() throws Exception {
    assertEquals(0, CliRun.of("--help").exit());
    assertEquals(2, CliRun.of().exit(), "no command is bad usage");
    assertEquals(2, CliRun.of("run").exit(), "run without its required --config");
    assertEquals(2, CliRun.of("replay", "x.jsonl").exit(), "replay without --profile");
    assertEquals(2, CliRun.of("demo", "--users", "5").exit(), "out of range");
    CliRun date = CliRun.of("demo", "--date", "10/03/2026");
    assertEquals(2, date.exit());
    assertTrue(date.err().contains("YYYY-MM-DD"), date.err());
    assertEquals(2, CliRun.of("demo", "--seed").exit(), "an option without its value");
    assertEquals(2, CliRun.of("run", "--log-format", "xml", "--config", "c.yaml").exit());
    assertEquals(2, CliRun.of("config", "check", dir.resolve("none.yaml").toString()).exit());
    Path config = dir.resolve("bad.yaml");
    Files.writeString(config, "orgs: []\n");
    CliRun bad = CliRun.of("config", "check", config.toString());
    assertEquals(2, bad.exit());
    assertEquals(
        "leakwatch: " + config + ": orgs: must be a non-empty list of orgs, each with a name\n",
        bad.err());
    Path broken = dir.resolve("audit.jsonl");
    Files.writeString(broken, "{\"not\": \"an audit entry\"}\n");
    CliRun check = CliRun.of("audit", "verify", broken.toString());
    assertEquals(1, check.exit(), "a failed check: " + check);
    assertEquals(
        1,
        CliRun.of("drill", "verify", dir.toString()).exit(),
        "a folder without a manifest fails verification");
  }

  @Test
  void versionNamesTheBuildTheRulePackAndTheCommit() {
    CliRun version = CliRun.of("--version");
    assertEquals(0, version.exit());
    String sha = RulePackLoader.defaultPack().sha256();
    assertTrue(version.out().startsWith("leakwatch "), version.out());
    assertFalse(version.out().startsWith("leakwatch unknown"), "the build wrote the version");
    assertTrue(version.out().contains("sha256 " + sha), version.out());
    assertTrue(version.out().matches("(?s).*git commit ([0-9a-f]{40}|unknown).*"), version.out());
    assertEquals(version.out(), CliRun.of("drill", "--version").out(), "on every command");
  }

  @Test
  void theCompletionScriptCoversEveryCommand() {
    String script = AutoComplete.bash("leakwatch", Leakwatch.commandLine(new Leakwatch()));
    for (List<String> words : everyCommand()) {
      assertTrue(script.contains(String.join(" ", words)), words.toString());
    }
    assertTrue(script.contains("--scenario-dir"));
  }
}
