package io.leakwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.rulepack.RuleDefinition;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackLoader;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The rules {@code bench --rule-count} adds: distinct, with other thresholds, and deployable. */
class RuleVariantsTest {
  @Test
  void scalesComparisonsWithNumbersButNotLambdasOrProfileThresholds() {
    String epl = "having sum(x) > 100 and y >= 2.5 and z > org.limit(u) and w <= 7 (r) => r > 3";
    assertEquals(
        "having sum(x) > 200 and y >= 5.00 and z > org.limit(u) and w <= 7 (r) => r > 6",
        RuleVariants.scaleThresholds(epl, 2));
  }

  @Test
  void renamesPublicTablesAndWindowsEverywhereTheyAreUsed() {
    String epl =
        "@public create table PhiToday (UserId string primary key);\n"
            + "@public create window PhiLastDay#time(1 day) as X;\n"
            + "into table PhiToday select 1 from PhiLastDay; select PhiTodayish from Y";
    assertEquals(
        "@public create table PhiTodayV3 (UserId string primary key);\n"
            + "@public create window PhiLastDayV3#time(1 day) as X;\n"
            + "into table PhiTodayV3 select 1 from PhiLastDayV3; select PhiTodayish from Y",
        RuleVariants.renamePublicNames(epl, 3));
  }

  /** Sixty rules with unique ids and DRL packages, and the grown pack compiles and runs. */
  @Test
  void growsTheDefaultPackToSixtyRulesThatAllDeploy() throws Exception {
    RulePack pack = RulePackLoader.defaultPack();
    RulePack grown = RuleVariants.grow(pack, 60);
    assertEquals(60, grown.rules().size());
    Set<String> ids = new HashSet<>();
    Set<String> packages = new HashSet<>();
    Pattern packageLine = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");
    for (RuleDefinition rule : grown.rules()) {
      assertTrue(ids.add(rule.id()), "duplicate id " + rule.id());
      Matcher m = packageLine.matcher(rule.drl().text());
      assertTrue(m.find(), rule.id());
      assertTrue(packages.add(m.group(1)), "duplicate DRL package " + m.group(1));
    }
    RuleDefinition variant = grown.rule("LW-001-V2").orElseThrow();
    assertTrue(variant.drl().text().contains("ruleId == \"LW-001-V2\""), variant.drl().text());
    CliRun run =
        CliRun.of(
            "bench",
            "--events",
            "3000",
            "--users",
            "50",
            "--scenarios",
            "none",
            "--no-bare",
            "--rule-count",
            "60");
    assertEquals(0, run.exit(), run.err());
    assertTrue(
        Pattern.compile(
                "(?m)^60 rules      [\\d,]+ events/s, \\d+\\.\\d\\d of the pack's \\d+ rules")
            .matcher(run.out())
            .find(),
        run.out());
  }
}
