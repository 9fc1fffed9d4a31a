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
import java.util.Set;

/**
 * {@code leakwatch rules validate DIR} and {@code leakwatch rules test DIR}: the rule author's
 * loop, usable in a rules repository's own CI (non-zero exit on any problem, JUnit XML for the
 * report).
 */
final class RulesCommand {
  static final Set<String> OPTIONS = Set.of("profile", "junit");

  private RulesCommand() {}

  static int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
    if (argv.isEmpty()) {
      throw new Args.UsageException("rules needs a subcommand: validate DIR or test DIR");
    }
    Args args = new Args(argv.subList(1, argv.size()), OPTIONS, 1);
    Path dir = Path.of(args.positional(0, "the rules folder"));
    return switch (argv.get(0)) {
      case "validate" -> validate(dir, args, out, err);
      case "test" -> test(dir, args, out, err);
      default ->
          throw new Args.UsageException(
              "unknown rules subcommand '" + argv.get(0) + "' (validate, test)");
    };
  }

  private static OrgProfile profile(Path dir, Args args) {
    String given = args.text("profile", null);
    Path file = given != null ? Path.of(given) : dir.resolve("test-profile.yaml");
    if (given == null && !Files.isRegularFile(file)) {
      throw new Args.UsageException(
          "no --profile given and " + file + " does not exist: rules read the org profile");
    }
    return OrgProfileLoader.load(file);
  }

  /** Loads, compiles and reads every test case; prints each problem with file and line. */
  private static int validate(Path dir, Args args, PrintStream out, PrintStream err)
      throws Exception {
    OrgProfile profile = profile(dir, args);
    try {
      RulePack pack = RulePackLoader.fromDirectory(dir);
      CompiledPack.compile(pack);
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

  private static int test(Path dir, Args args, PrintStream out, PrintStream err) throws Exception {
    OrgProfile profile = profile(dir, args);
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
    String junit = args.text("junit", null);
    if (junit != null) {
      JUnitXml.write(Path.of(junit), pack.pack().name(), results);
      out.println("JUnit XML: " + junit);
    }
    return failed == 0 && !results.isEmpty() ? 0 : 1;
  }
}
