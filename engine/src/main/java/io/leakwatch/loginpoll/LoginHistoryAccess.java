package io.leakwatch.loginpoll;

import com.fasterxml.jackson.databind.JsonNode;
import io.leakwatch.rest.LoginHistoryFields;
import io.leakwatch.rest.QueryException;
import io.leakwatch.rest.QueryPage;
import io.leakwatch.rest.SoqlClient;

/**
 * Asks Salesforce whether the running user may read every user's LoginHistory. The Object Reference
 * lets only users with "Manage Users" or "Monitor Login History" do so; any other user's query of
 * LoginHistory still succeeds (HTTP 200) with only its own logins, so a poll without either
 * permission would read as live and quiet while blind. The answer comes from UserPermissionAccess,
 * which any user may query for its own session's permissions.
 */
public final class LoginHistoryAccess {
  static final String QUERY =
      "SELECT "
          + LoginHistoryFields.MANAGE_USERS
          + ", "
          + LoginHistoryFields.MONITOR_LOGIN_HISTORY
          + " FROM UserPermissionAccess";

  /** For an API version that does not know Monitor Login History yet: Manage Users alone. */
  static final String MANAGE_USERS_ONLY =
      "SELECT " + LoginHistoryFields.MANAGE_USERS + " FROM UserPermissionAccess";

  /**
   * What the check found.
   *
   * @param granted whether the running user reads every user's LoginHistory
   * @param why when not granted, what is missing, naming the permissions (never a value)
   */
  public record Verdict(boolean granted, String why) {
    static final Verdict GRANTED = new Verdict(true, null);
  }

  private LoginHistoryAccess() {}

  /**
   * Checks the running user's permissions (one query call, two when the API version does not know
   * Monitor Login History).
   *
   * @throws QueryException when the check cannot be made (the answer is not a permission row)
   */
  public static Verdict check(SoqlClient client) throws QueryException, InterruptedException {
    try {
      return read(client.query(QUERY), true);
    } catch (QueryException e) {
      if (!e.errorCode().equals("INVALID_FIELD")) {
        throw e;
      }
      return read(client.query(MANAGE_USERS_ONLY), false);
    }
  }

  private static Verdict read(QueryPage page, boolean monitorKnown) throws QueryException {
    if (page.records().size() != 1) {
      throw new QueryException(200, "UNEXPECTED_USER_PERMISSION_ACCESS");
    }
    JsonNode row = page.records().get(0);
    JsonNode manage = row.path(LoginHistoryFields.MANAGE_USERS);
    JsonNode monitor = row.path(LoginHistoryFields.MONITOR_LOGIN_HISTORY);
    if (!manage.isBoolean() || (monitorKnown && !monitor.isBoolean())) {
      throw new QueryException(200, "UNEXPECTED_USER_PERMISSION_ACCESS");
    }
    if (manage.asBoolean() || (monitorKnown && monitor.asBoolean())) {
      return Verdict.GRANTED;
    }
    return new Verdict(
        false,
        monitorKnown
            ? "the running user has neither \"Manage Users\" nor \"Monitor Login History\""
                + " (UserPermissionAccess): LoginHistory shows it only its own logins"
            : "the running user lacks \"Manage Users\" (UserPermissionAccess; this API version"
                + " cannot say whether it has \"Monitor Login History\"): LoginHistory may show it"
                + " only its own logins");
  }
}
