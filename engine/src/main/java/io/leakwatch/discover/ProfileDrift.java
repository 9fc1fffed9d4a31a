package io.leakwatch.discover;

import io.leakwatch.profile.Integration;
import io.leakwatch.profile.OrgProfile;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What differs between an org profile (and the baseline written beside it) and the org today:
 * findings need a person's review; notes are for information. Ids, names and counts only.
 */
public record ProfileDrift(List<String> findings, List<String> notes) {

  public boolean needsReview() {
    return !findings.isEmpty();
  }

  public static ProfileDrift compare(OrgProfile profile, Baseline baseline, DiscoveredOrg org) {
    List<String> findings = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    PhiCatalog catalog = org.catalog();
    for (String object : catalog.objects()) {
      String key = object.toLowerCase(Locale.ROOT);
      List<String> classified = catalog.fields().get(object);
      if (!profile.phiObjects().contains(key)) {
        findings.add(
            "new PHI object: "
                + object
                + (classified == null ? " (every field)" : " (fields " + classified + ")"));
        continue;
      }
      Set<String> declared = profile.phiFields().get(key);
      if (declared != null) {
        List<String> fields =
            classified != null ? classified : List.of("(every field is now classified)");
        for (String field : fields) {
          if (!declared.contains(field.toLowerCase(Locale.ROOT))) {
            findings.add("new PHI field: " + object + "." + field);
          }
        }
      }
    }
    Set<String> declaredUsers = new TreeSet<>();
    profile.integrations().forEach(i -> i.userIds().forEach(u -> declaredUsers.add(id15(u))));
    for (DiscoveredOrg.DiscoveredIntegration i : org.integrations()) {
      if (!declaredUsers.contains(id15(i.userId()))) {
        findings.add(
            "new integration user: "
                + i.username()
                + " ("
                + i.userId()
                + (i.appName() == null ? "" : ", " + i.appName())
                + "; "
                + i.foundBy()
                + ")");
      }
    }
    if (baseline == null) {
      findings.add(
          "no discovery baseline beside the profile: "
              + org.criticalHolders().size()
              + " users hold critical permissions and none has been reviewed (run profile"
              + " discover to record them)");
    } else {
      org.criticalHolders()
          .forEach(
              (user, permissions) -> {
                Set<String> before = baseline.criticalHolders().getOrDefault(user, Set.of());
                Set<String> added = new TreeSet<>(permissions);
                added.removeAll(before);
                if (!added.isEmpty()) {
                  findings.add(
                      "new holder of critical permissions: "
                          + org.usernames().getOrDefault(user, user)
                          + " ("
                          + user
                          + ") "
                          + added);
                }
              });
    }
    for (Integration declared : profile.integrations()) {
      scope(declared, org, findings, notes);
    }
    return new ProfileDrift(List.copyOf(findings), List.copyOf(notes));
  }

  /** Where an integration's observed scope outgrew what the profile declares for it. */
  private static void scope(
      Integration declared, DiscoveredOrg org, List<String> findings, List<String> notes) {
    IntegrationUsage usage = null;
    for (String user : declared.userIds()) {
      usage = usage != null ? usage : org.usageOf(user);
    }
    String name = "integration " + declared.name();
    if (usage == null || !usage.active()) {
      notes.add(name + ": no activity in the history read");
      return;
    }
    Set<String> undeclaredObjects = new TreeSet<>();
    for (String object : usage.objects()) {
      String key = object.toLowerCase(Locale.ROOT);
      if (org.catalog().isPhiObject(object)
          && !declared.objects().isEmpty()
          && !declared.objects().contains(key)) {
        undeclaredObjects.add(object);
      }
    }
    if (!undeclaredObjects.isEmpty()) {
      findings.add(name + " read PHI objects it does not declare: " + undeclaredObjects);
    }
    Set<String> undeclaredFields = new TreeSet<>();
    for (Map.Entry<String, Set<String>> e : usage.phiFields().entrySet()) {
      Set<String> fields = declared.fields().get(e.getKey().toLowerCase(Locale.ROOT));
      if (fields == null) {
        continue;
      }
      for (String field : e.getValue()) {
        if (!fields.contains(field.toLowerCase(Locale.ROOT))) {
          undeclaredFields.add(e.getKey() + "." + field);
        }
      }
    }
    if (!undeclaredFields.isEmpty()) {
      findings.add(name + " selected fields it does not declare: " + undeclaredFields);
    }
    int[] hours = usage.hours();
    Set<String> outside = new TreeSet<>();
    for (int h = 0; h < 24; h++) {
      if (hours[h] > 0
          && !declared.runWindow().contains(LocalTime.of(h, 0))
          && !declared.runWindow().contains(LocalTime.of(h, 59))) {
        outside.add(String.format("%02d:00", h));
      }
    }
    if (!outside.isEmpty()) {
      findings.add(
          name
              + " was active outside its runWindow "
              + declared.runWindow()
              + ": hours "
              + outside);
    }
    long max = usage.maxRowsPer5Min();
    if (max > declared.maxRowsPer5Min()) {
      findings.add(
          name
              + " read up to "
              + max
              + " patient rows in 5 min, above its maxRowsPer5Min "
              + declared.maxRowsPer5Min());
    }
  }

  private static String id15(String id) {
    return id.length() >= 15 ? id.substring(0, 15) : id;
  }
}
