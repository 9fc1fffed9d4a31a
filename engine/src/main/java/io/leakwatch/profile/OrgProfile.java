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
 * @param phiFields per PHI object (lower-cased), the fields that hold PHI; an object without an
 *     entry counts every field as PHI
 * @param suppressions findings a person decided not to be paged for, each with a reason and an
 *     expiry
 * @param uiRecordViewsPer10Min distinct PHI records a person may open in the UI in ten minutes
 * @param fileDownloadsPer30Min files a person may download in thirty minutes (previews not counted)
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
    java.util.Map<String, Set<String>> phiFields,
    List<Suppression> suppressions,
    long uiRecordViewsPer10Min,
    long fileDownloadsPer30Min) {
  /** Default allowance of distinct PHI records opened in the UI per ten minutes. */
  public static final long DEFAULT_UI_RECORD_VIEWS = 60;

  /** Default allowance of file downloads per thirty minutes. */
  public static final long DEFAULT_FILE_DOWNLOADS = 20;

  /**
   * Silences alerts of {@code rule} ("*" for any) about {@code principal} (null for anyone) until
   * {@code expiresAt} (epoch millis, compared with event time).
   */
  public record Suppression(String rule, String principal, String reason, long expiresAt) {
    public boolean matches(String ruleId, String alertPrincipal, long eventTime) {
      return (rule.equals("*") || rule.equals(ruleId))
          && (principal == null || principal.equals(alertPrincipal))
          && eventTime < expiresAt;
    }
  }

  /** A weekly maintenance window: these days, these hours (in the org's time zone). */
  public record ChangeWindow(Set<DayOfWeek> days, TimeWindow hours) {}
}
