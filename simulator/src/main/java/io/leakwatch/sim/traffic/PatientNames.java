package io.leakwatch.sim.traffic;

import java.util.Random;

/**
 * Synthetic patient identifiers that appear as SOQL literals in simulated queries, as real ones do
 * in real events. Leakwatch must never repeat them in an alert, a log or a report.
 */
public final class PatientNames {
  private static final String[] LAST = {
    "Okafor", "Lindqvist", "Haddad", "Moreau", "Tanaka", "Fitzgerald", "Kowalczyk", "Nakamura",
        "Osei", "Delacroix",
    "Brennan", "Varga", "Quispe", "Sorensen", "Abernathy", "Mbeki", "Castellano", "Ivanova",
        "Whitfield", "Rahman"
  };

  private PatientNames() {}

  public static String lastName(Random random) {
    return LAST[random.nextInt(LAST.length)];
  }

  public static String birthdate(Random random) {
    return String.format(
        "%d-%02d-%02d", 1935 + random.nextInt(70), 1 + random.nextInt(12), 1 + random.nextInt(28));
  }

  /** A point lookup of one patient, literals included. */
  public static String lookup(Random random, String object) {
    return "SELECT Id, FirstName, LastName, Birthdate, MailingPostalCode FROM "
        + object
        + " WHERE LastName = '"
        + lastName(random)
        + "' AND Birthdate = "
        + birthdate(random);
  }
}
