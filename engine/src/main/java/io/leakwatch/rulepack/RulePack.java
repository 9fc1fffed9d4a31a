package io.leakwatch.rulepack;

import java.util.List;
import java.util.Optional;

/**
 * A complete, loaded rule pack.
 *
 * @param origin where it was loaded from (a folder, or the default pack inside the build)
 * @param version the pack's declared version
 * @param sha256 hash over every file of the pack, so a report can say exactly which rules ran
 * @param shared EPL modules at the pack root (event type declarations), deployed before any rule
 * @param decisions DRL files at the pack root: policy across rules, such as correlation
 */
public record RulePack(
    String origin,
    String name,
    String version,
    String sha256,
    List<RuleDefinition.Source> shared,
    List<RuleDefinition.Source> decisions,
    List<RuleDefinition> rules) {

  public Optional<RuleDefinition> rule(String id) {
    return rules.stream().filter(r -> r.id().equals(id)).findFirst();
  }
}
