package io.leakwatch.profile;

import java.time.DayOfWeek;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;

/**
 * What the rules know about one monitored org: who its integrations are, which networks it trusts,
 * when it works, and which objects hold PHI. Loaded from YAML by {@link OrgProfileLoader}.
 *
 * @param phiObjects API names of objects that hold PHI, lower-cased for matching
 * @param bulkReadThreshold patient rows a person may read in five minutes before it is a bulk read
 * @param changeWindow when admins may do maintenance (read debug logs, …), or null for never
 * @param phiFields per PHI object (lower-cased), the fields that hold PHI; an object without an entry
 *     counts every field as PHI
 */
public record OrgProfile(
    String orgId,
    String name,
    ZoneId timeZone,
    TimeWindow businessHours,
    Set<DayOfWeek> businessDays,
    List<Cidr> trustedNetworks,
    Set<String> phiObjects,
    List<Integration> integrations,
    long bulkReadThreshold,
    ChangeWindow changeWindow,
    java.util.Map<String, Set<String>> phiFields) {

  /** A weekly maintenance window: these days, these hours (in the org's time zone). */
  public record ChangeWindow(Set<DayOfWeek> days, TimeWindow hours) {}
}
