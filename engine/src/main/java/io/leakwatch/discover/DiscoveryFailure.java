package io.leakwatch.discover;

import io.leakwatch.rest.QueryException;

/**
 * A call discovery needs was refused or failed: which step, what Salesforce answered (HTTP status
 * and error code, never a token or a query's literals) and what to do about it.
 */
public final class DiscoveryFailure extends Exception {
  /** What went wrong, each with the exit code the command line documents. */
  public enum Kind {
    AUTHENTICATION(3, "the org refused the credentials: check the org's auth in the configuration"),
    PERMISSION(
        4,
        "the user lacks a permission: discovery needs API Enabled, View Setup and Configuration,"
            + " and View Real-Time Event Monitoring Data for the stored events"),
    API_DISABLED(5, "the API is disabled for this org or user (API_DISABLED_FOR_ORG)"),
    RATE_LIMIT(
        6,
        "the org's daily API request limit is used up (REQUEST_LIMIT_EXCEEDED): try again later"
            + " or read fewer days (--days)"),
    UNAVAILABLE(7, "the org's API did not answer as expected");

    private final int exitCode;
    private final String advice;

    Kind(int exitCode, String advice) {
      this.exitCode = exitCode;
      this.advice = advice;
    }

    public int exitCode() {
      return exitCode;
    }

    public String advice() {
      return advice;
    }
  }

  private final Kind kind;

  public DiscoveryFailure(Kind kind, String step, String answer) {
    super(step + ": " + answer + " — " + kind.advice());
    this.kind = kind;
  }

  /** Classifies a failed query of {@code step} (e.g. "reading FieldDefinition"). */
  public static DiscoveryFailure of(String step, QueryException e) {
    return new DiscoveryFailure(kind(e), step, e.getMessage());
  }

  static Kind kind(QueryException e) {
    String code = e.errorCode();
    if (e.status() == 401 || code.equals("INVALID_SESSION_ID") || code.startsWith("TOKEN_")) {
      return Kind.AUTHENTICATION;
    }
    if (code.equals("API_DISABLED_FOR_ORG") || code.equals("API_CURRENTLY_DISABLED")) {
      return Kind.API_DISABLED;
    }
    if (e.status() == 429 || code.equals("REQUEST_LIMIT_EXCEEDED")) {
      return Kind.RATE_LIMIT;
    }
    if (e.status() == 403
        || code.startsWith("INSUFFICIENT_ACCESS")
        || code.equals("INVALID_TYPE")
        || code.equals("INSUFFICIENT_PRIVILEGES")) {
      return Kind.PERMISSION;
    }
    return Kind.UNAVAILABLE;
  }

  public Kind kind() {
    return kind;
  }

  public int exitCode() {
    return kind.exitCode();
  }
}
