package io.leakwatch.rest;

import java.util.List;
import java.util.Set;

/**
 * The {@code LoginHistory} object's fields, as the Object Reference documents them: the part of the
 * contract the engine's poll and the simulated org both speak.
 */
public final class LoginHistoryFields {
  /** Fields LoginHistory and the LoginEvent stream share by name (same meaning, same text). */
  public static final List<String> SHARED_WITH_LOGIN_EVENT =
      List.of(
          "UserId",
          "LoginType",
          "LoginSubType",
          "Status",
          "SourceIp",
          "LoginUrl",
          "Application",
          "Browser",
          "Platform",
          "ApiType",
          "ApiVersion",
          "AuthMethodReference",
          "CountryIso",
          "LoginGeoId",
          "TlsProtocol",
          "CipherSuite");

  /** Every documented field: what a SOQL query of LoginHistory may select. */
  public static final Set<String> DOCUMENTED =
      Set.copyOf(
          concat(
              SHARED_WITH_LOGIN_EVENT,
              List.of(
                  "Id",
                  "LoginTime",
                  "AuthenticationServiceId",
                  "AuthContextClassRef",
                  "ClientVersion",
                  "ForwardedForIp",
                  "NetworkId",
                  "OptionsIsGet",
                  "OptionsIsPost")));

  /**
   * The UserPermissionAccess fields (the running user's own permissions, API 41.0 and later) of the
   * two permissions that let a user read every user's LoginHistory: "Manage Users" and "Monitor
   * Login History". Without either, a query of LoginHistory answers only the user's own logins.
   */
  public static final String MANAGE_USERS = "PermissionsManageUsers";

  public static final String MONITOR_LOGIN_HISTORY = "PermissionsMonitorLoginHistory";

  private LoginHistoryFields() {}

  private static List<String> concat(List<String> a, List<String> b) {
    java.util.ArrayList<String> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
