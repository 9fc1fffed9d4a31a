package io.leakwatch.discover;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything discovery learned about one org: what its setup says and what its stored events show.
 * Ids, names and counts only.
 *
 * @param businessDays days the default business hours cover; empty when none are defined
 * @param networks /24 networks shared by several users' sign-ins, with how many users
 * @param historyFrom start of the history read (epoch millis)
 * @param historyTo end of the history read (the org's clock)
 * @param usageByUser what each tracked user (integrations, and any asked for) did
 * @param calls REST calls made
 */
public record DiscoveredOrg(
    String orgId,
    String name,
    ZoneId timeZone,
    LocalTime businessStart,
    LocalTime businessEnd,
    Set<DayOfWeek> businessDays,
    PhiCatalog catalog,
    List<DiscoveredIntegration> integrations,
    Map<String, Set<String>> criticalHolders,
    Map<String, String> usernames,
    Map<String, Integer> networks,
    long historyFrom,
    long historyTo,
    long apiRows,
    long loginRows,
    Map<String, IntegrationUsage> usageByUser,
    long calls) {

  /** The usage of a tracked user by a 15- or 18-character id, or null. */
  public IntegrationUsage usageOf(String userId) {
    for (Map.Entry<String, IntegrationUsage> e : usageByUser.entrySet()) {
      if (userId.length() >= 15 && e.getKey().startsWith(userId.substring(0, 15))) {
        return e.getValue();
      }
    }
    return null;
  }

  /**
   * An integration user and what it was seen doing.
   *
   * @param foundBy why it counts as an integration (licence, API-only, a dedicated app's token)
   */
  public record DiscoveredIntegration(
      String name,
      String userId,
      String username,
      String appName,
      Set<String> connectedAppIds,
      String foundBy,
      IntegrationUsage usage) {}
}
