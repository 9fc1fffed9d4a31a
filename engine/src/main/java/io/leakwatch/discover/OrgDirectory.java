package io.leakwatch.discover;

import com.fasterxml.jackson.databind.JsonNode;
import io.leakwatch.rest.QueryException;
import io.leakwatch.rest.SoqlClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Who is in the org and what they may do: active users with profile and licence, who holds a
 * critical permission (directly or through their profile's permission set), connected apps, and
 * which users hold OAuth tokens of which app. Ids and names only.
 */
public record OrgDirectory(
    Map<String, User> users,
    Map<String, Set<String>> criticalHolders,
    Set<String> apiOnlyUsers,
    Map<String, String> connectedAppIds,
    Map<String, Set<String>> tokensByUser) {

  public record User(String id, String username, String userType, String profile, String license) {
    public boolean integrationLicense() {
      return "Salesforce Integration".equalsIgnoreCase(license);
    }
  }

  /**
   * Permissions that open every record or every export, by their PermissionSet field name without
   * the {@code Permissions} prefix.
   */
  public static final List<String> CRITICAL =
      List.of(
          "ViewAllData",
          "ModifyAllData",
          "ExportReport",
          "ManageUsers",
          "ViewEncryptedData",
          "AuthorApex",
          "ManageSharing",
          "AssignPermissionSets",
          "ManageProfilesPermissionsets",
          "TransactionSecurityExempt");

  public static OrgDirectory read(SoqlClient soql) throws DiscoveryFailure, InterruptedException {
    Map<String, User> users = new LinkedHashMap<>();
    for (JsonNode row :
        query(
            soql,
            "reading User",
            "SELECT Id, Username, UserType, Profile.Name, Profile.UserLicense.Name FROM User"
                + " WHERE IsActive = true")) {
      String id = row.path("Id").asText("");
      users.put(
          id,
          new User(
              id,
              row.path("Username").asText(""),
              row.path("UserType").asText(""),
              row.path("Profile").path("Name").asText(""),
              row.path("Profile").path("UserLicense").path("Name").asText("")));
    }
    StringBuilder select = new StringBuilder("SELECT AssigneeId, PermissionSet.Name");
    StringBuilder where = new StringBuilder();
    for (String permission : concat(CRITICAL, "ApiUserOnly")) {
      select.append(", PermissionSet.Permissions").append(permission);
      where
          .append(where.length() == 0 ? "" : " OR ")
          .append("PermissionSet.Permissions")
          .append(permission)
          .append(" = true");
    }
    Map<String, Set<String>> holders = new TreeMap<>();
    Set<String> apiOnly = new TreeSet<>();
    for (JsonNode row :
        query(
            soql,
            "reading PermissionSetAssignment",
            select + " FROM PermissionSetAssignment WHERE " + where)) {
      String user = row.path("AssigneeId").asText("");
      if (!users.containsKey(user)) {
        continue; // inactive users hold nothing that matters today
      }
      JsonNode set = row.path("PermissionSet");
      for (String permission : CRITICAL) {
        if (set.path("Permissions" + permission).asBoolean(false)) {
          holders.computeIfAbsent(user, u -> new TreeSet<>()).add(permission);
        }
      }
      if (set.path("PermissionsApiUserOnly").asBoolean(false)) {
        apiOnly.add(user);
      }
    }
    Map<String, String> apps = new TreeMap<>();
    for (JsonNode row :
        query(soql, "reading ConnectedApplication", "SELECT Id, Name FROM ConnectedApplication")) {
      apps.put(row.path("Name").asText(""), row.path("Id").asText(""));
    }
    Map<String, Set<String>> tokens = new TreeMap<>();
    for (JsonNode row :
        query(soql, "reading OauthToken", "SELECT Id, UserId, AppName FROM OauthToken")) {
      String user = row.path("UserId").asText("");
      if (users.containsKey(user)) {
        tokens.computeIfAbsent(user, u -> new TreeSet<>()).add(row.path("AppName").asText(""));
      }
    }
    return new OrgDirectory(users, holders, apiOnly, apps, tokens);
  }

  /** How many active users hold a token of {@code app}. */
  public long holdersOf(String app) {
    return tokensByUser.values().stream().filter(apps -> apps.contains(app)).count();
  }

  private static List<JsonNode> query(SoqlClient soql, String step, String query)
      throws DiscoveryFailure, InterruptedException {
    try {
      return soql.queryAll(query);
    } catch (QueryException e) {
      throw DiscoveryFailure.of(step, e);
    }
  }

  private static List<String> concat(List<String> list, String more) {
    java.util.ArrayList<String> all = new java.util.ArrayList<>(list);
    all.add(more);
    return all;
  }
}
