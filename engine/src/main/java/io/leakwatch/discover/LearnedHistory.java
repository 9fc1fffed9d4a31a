package io.leakwatch.discover;

import java.time.LocalDate;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the stored history says about people, for the rules that learn (LW-013 new country or
 * address, LW-014 daily baselines) to start from instead of a week of blindness. Kept in memory
 * only: never written to the profile. Ids, addresses, country codes and counts; no patient value.
 *
 * @param phiRowsPerDay per user, per UTC day, patient rows read through the API
 * @param countries per user, the CountryIso values of their successful logins
 * @param addresses per user, the source addresses of their successful logins
 */
public record LearnedHistory(
    Map<String, Map<LocalDate, Long>> phiRowsPerDay,
    Map<String, Set<String>> countries,
    Map<String, Set<String>> addresses) {

  static LearnedHistory empty() {
    return new LearnedHistory(new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
  }

  void phiRows(String user, LocalDate utcDay, long rows) {
    phiRowsPerDay.computeIfAbsent(user, u -> new TreeMap<>()).merge(utcDay, rows, Long::sum);
  }

  void login(String user, String countryIso, String address) {
    if (countryIso != null && !countryIso.isBlank()) {
      countries.computeIfAbsent(user, u -> new TreeSet<>()).add(countryIso.trim());
    }
    if (address != null && !address.isBlank()) {
      addresses.computeIfAbsent(user, u -> new TreeSet<>()).add(address.trim());
    }
  }
}
