package io.leakwatch.cli;

import io.leakwatch.engine.CompiledPack;
import io.leakwatch.profile.OrgProfile;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackException;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.ruletest.JUnitXml;
import io.leakwatch.ruletest.RuleTestCase;
import io.leakwatch.ruletest.RuleTests;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code leakwatch rules validate DIR} and {@code leakwatch rules test DIR}: the rule author's
 * loop, usable in a rules repository's own CI (non-zero exit on any problem, JUnit XML for the
 * report).
 */
@Command(
    name = "rules",
    description = "The rule author's loop: validate and test a rule pack folder.",
    subcommands = {RulesCommand.Validate.class, RulesCommand.Test.class})
final class RulesCommand {
  /** What both subcommands take: the pack folder and the org profile its rules read. */
  static class PackArguments {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "the rule pack folder")
    Path dir;

    @Option(
        names = "--profile",
        paramLabel = "FILE",
        description = "the org profile the rules read (default: DIR/test-profile.yaml)")
    Path profile;

    OrgProfile profile() {
      Path file = profile != null ? profile : dir.resolve("test-profile.yaml");
      if (profile == null && !Files.isRegularFile(file)) {
        throw Bounds.usage(
            spec, "no --profile given and " + file + " does not exist: rules read the org profile");
      }
      return OrgProfileLoader.load(file);
    }
  }

  @Command(
      name = "validate",
      description =
          "Compile every EPL and DRL file, the profile and the test cases; print each problem with"
              + " file and line. Exit 1 on any problem.")
  static final class Validate extends PackArguments implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      return validate(dir, profile(), Leakwatch.root(spec).out(), Leakwatch.root(spec).err());
    }
  }

  @Command(
      name = "test",
      description =
          "Run every rule's test cases (DIR/<rule>/tests/*.json). Exit 1 when one fails or there"
              + " are none.")
  static final class Test extends PackArguments implements Callable<Integer> {
    @Option(names = "--junit", paramLabel = "FILE", description = "also write JUnit XML here")
    Path junit;

    @Override
    public Integer call() throws Exception {
      return test(dir, profile(), junit, Leakwatch.root(spec).out(), Leakwatch.root(spec).err());
    }
  }

  private RulesCommand() {}

  /** Loads, compiles and reads every test case; prints each problem with file and line. */
  private static int validate(Path dir, OrgProfile profile, PrintStream out, PrintStream err)
      throws Exception {
    try {
      RulePack pack = RulePackLoader.fromDirectory(dir);
      CompiledPack.validate(pack);
      List<RuleTestCase> cases = RuleTests.load(dir);
      out.printf(
          "%s: %s %s valid: %d rules, %d test cases, profile of %s%n",
          dir, pack.name(), pack.version(), pack.rules().size(), cases.size(), profile.orgId());
      return 0;
    } catch (RulePackException e) {
      err.println(e.getMessage());
      return 1;
    }
  }

  private static int test(
      Path dir, OrgProfile profile, Path junit, PrintStream out, PrintStream err) throws Exception {
    CompiledPack pack;
    List<RuleTestCase> cases;
    try {
      pack = CompiledPack.compile(RulePackLoader.fromDirectory(dir));
      cases = RuleTests.load(dir);
    } catch (RulePackException e) {
      err.println(e.getMessage());
      return 1;
    }
    List<RuleTests.Result> results = RuleTests.run(pack, profile, cases);
    for (RuleTests.Result r : results) {
      out.printf(
          Locale.ROOT,
          "%s  %s / %s (%d ms)%n",
          r.passed() ? "PASS" : "FAIL",
          r.testCase().ruleFolder(),
          r.testCase().name(),
          r.millis());
      if (!r.passed()) {
        out.printf("      %s%n      in %s%n", r.problem(), r.testCase().source());
      }
    }
    long failed = results.stream().filter(r -> !r.passed()).count();
    // The plain closing line CI systems read.
    out.printf("%d passed, %d failed%n", results.size() - failed, failed);
    if (junit != null) {
      JUnitXml.write(junit, pack.pack().name(), results);
      out.println("JUnit XML: " + junit);
    }
    return failed == 0 && !results.isEmpty() ? 0 : 1;
  }
}
