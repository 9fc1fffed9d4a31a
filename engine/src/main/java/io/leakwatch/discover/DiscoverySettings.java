package io.leakwatch.discover;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What discovery counts as PHI and how much history it reads.
 *
 * @param days days of stored events to read, back from the org's clock (1 to 180: Salesforce keeps
 *     them up to six months)
 * @param complianceGroups FieldDefinition ComplianceGroup values that make a field PHI (a field
 *     holds several, separated by ';')
 * @param classifications FieldDefinition SecurityClassification values that make a field PHI
 */
public record DiscoverySettings(
    int days, Set<String> complianceGroups, Set<String> classifications) {
  public static final int DEFAULT_DAYS = 30;
  public static final Set<String> DEFAULT_GROUPS = Set.of("HIPAA", "PII");

  public DiscoverySettings {
    if (days < 1 || days > 180) {
      throw new IllegalArgumentException("days must be 1 to 180, was " + days);
    }
    complianceGroups = upper(complianceGroups);
    classifications = upper(classifications);
  }

  public static DiscoverySettings defaults() {
    return new DiscoverySettings(DEFAULT_DAYS, DEFAULT_GROUPS, Set.of());
  }

  /** Whether a field with these classification values holds PHI. */
  public boolean isPhi(String complianceGroup, String securityClassification) {
    if (complianceGroup != null) {
      for (String group : complianceGroup.split(";")) {
        if (complianceGroups.contains(group.trim().toUpperCase(Locale.ROOT))) {
          return true;
        }
      }
    }
    return securityClassification != null
        && classifications.contains(securityClassification.trim().toUpperCase(Locale.ROOT));
  }

  private static Set<String> upper(Set<String> values) {
    return values.stream()
        .map(v -> v.trim().toUpperCase(Locale.ROOT))
        .filter(v -> !v.isEmpty())
        .collect(Collectors.toUnmodifiableSet());
  }
}
