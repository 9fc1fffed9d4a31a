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
    long bulkReadThreshold) {}
