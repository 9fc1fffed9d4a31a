package io.leakwatch.decision;

import java.util.Arrays;
import java.util.stream.Collectors;

/** What a decision rule may ask Salesforce to do about the principal of an alert. */
public enum ResponseAction {
  /** Set {@code UserLogin.IsFrozen}: the user cannot log in until an admin unfreezes them. */
  FREEZE_USER("freezeUser"),
  /**
   * Revoke the user's connected-app OAuth tokens ({@code OauthToken} rows, through {@code
   * /services/oauth2/revoke}).
   */
  REVOKE_TOKENS("revokeTokens"),
  /** Delete the user's {@code AuthSession} rows: every live session ends. */
  END_SESSION("endSession");

  private final String label;

  ResponseAction(String label) {
    this.label = label;
  }

  /** The name used in DRL, configuration, the audit log and JSON. */
  public String label() {
    return label;
  }

  public static ResponseAction parse(String label) {
    for (ResponseAction action : values()) {
      if (action.label.equals(label)) {
        return action;
      }
    }
    throw new IllegalArgumentException(
        "unknown response action '"
            + label
            + "' (expected one of "
            + Arrays.stream(values()).map(ResponseAction::label).collect(Collectors.joining(", "))
            + ")");
  }
}
