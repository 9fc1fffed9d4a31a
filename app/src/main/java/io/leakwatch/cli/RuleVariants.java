package io.leakwatch.cli;

import io.leakwatch.rulepack.RuleDefinition;
import io.leakwatch.rulepack.RuleMetadata;
import io.leakwatch.rulepack.RulePack;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pack grown to more rules by copies of its own rules with other thresholds: what a team that
 * tunes one rule per integration or per department ends up running. {@code bench --rule-count}
 * measures how throughput holds as the count grows.
 *
 * <p>Variant {@code v} of a rule gets the id {@code <id>-V<v>}, its own DRL package, its public
 * tables and windows renamed (module-private names need no renaming), and every numeric literal
 * after {@code >} or {@code >=} in its EPL scaled by {@code 1 + v/2}, so it fires on other volumes
 * than the rule it came from.
 */
final class RuleVariants {
  // A comparison with a number: "> 100", ">= 2.5". Not the "=>" of an expression lambda or "->".
  private static final Pattern THRESHOLD =
      Pattern.compile("(?<![=<>!-])(>=?)\\s*(\\d+(?:\\.\\d+)?)(?![\\w.])");
  private static final Pattern PUBLIC_NAME =
      Pattern.compile("@public\\s+create\\s+(?:table|window)\\s+(\\w+)", Pattern.CASE_INSENSITIVE);
  private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");

  private RuleVariants() {}

  /**
   * The pack with variants appended, round robin over its rules, until it holds {@code count}
   * rules; the pack itself when it already holds that many.
   */
  static RulePack grow(RulePack pack, int count) {
    List<RuleDefinition> rules = new ArrayList<>(pack.rules());
    int base = pack.rules().size();
    for (int i = 0; rules.size() < count; i++) {
      rules.add(variant(pack.rules().get(i % base), 2 + i / base));
    }
    return new RulePack(
        pack.origin() + " + " + (rules.size() - base) + " variants",
        pack.name(),
        pack.version(),
        pack.sha256(),
        pack.shared(),
        pack.decisions(),
        rules);
  }

  static RuleDefinition variant(RuleDefinition rule, int v) {
    RuleMetadata m = rule.metadata();
    String id = m.id() + "-V" + v;
    String folder = rule.folder() + "-v" + v;
    RuleMetadata metadata =
        new RuleMetadata(
            id,
            m.title() + " (variant " + v + ")",
            m.severity(),
            m.description(),
            m.attack(),
            m.controls());
    String epl = scaleThresholds(renamePublicNames(rule.epl().text(), v), 1 + v / 2.0);
    String drl =
        PACKAGE
            .matcher(rule.drl().text().replace("\"" + m.id() + "\"", "\"" + id + "\""))
            .replaceFirst("package $1.v" + v + ";");
    return new RuleDefinition(
        metadata,
        folder,
        new RuleDefinition.Source(folder + "/detect.epl", epl),
        new RuleDefinition.Source(folder + "/decide.drl", drl));
  }

  /** Public tables and windows are one per runtime: each variant keeps its own. */
  static String renamePublicNames(String epl, int v) {
    Set<String> names = new LinkedHashSet<>();
    Matcher declared = PUBLIC_NAME.matcher(epl);
    while (declared.find()) {
      names.add(declared.group(1));
    }
    String out = epl;
    for (String name : names) {
      out = out.replaceAll("\\b" + Pattern.quote(name) + "\\b", name + "V" + v);
    }
    return out;
  }

  static String scaleThresholds(String epl, double factor) {
    Matcher m = THRESHOLD.matcher(epl);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String literal = m.group(2);
      double scaled = Double.parseDouble(literal) * factor;
      String number =
          literal.contains(".")
              ? String.format(Locale.ROOT, "%.2f", scaled)
              : Long.toString(Math.round(scaled));
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + " " + number));
    }
    m.appendTail(out);
    return out.toString();
  }
}
