package io.leakwatch.rulepack;

import java.util.List;
import java.util.Map;

/**
 * What a rule is, beside its logic: the rule.yaml of a rule folder.
 *
 * @param attack MITRE ATT&CK technique ids
 * @param controls control framework → control ids, e.g. soc2 → [CC7.2]
 */
public record RuleMetadata(
    String id,
    String title,
    Severity severity,
    String description,
    List<String> attack,
    Map<String, List<String>> controls) {}
