package io.leakwatch.rest;

/**
 * A SOQL query call failed. The message names the HTTP status and Salesforce's error code, never a
 * token or the query's text.
 *
 * @see #retryable()
 */
public final class QueryException extends Exception {
  private final int status;
  private final String errorCode;

  public QueryException(int status, String errorCode) {
    super(
        status == 0
            ? "query call failed: " + errorCode
            : "query call failed: HTTP " + status + " " + errorCode);
    this.status = status;
    this.errorCode = errorCode;
  }

  /** The HTTP status, or 0 when no answer came (timeout, connection failure). */
  public int status() {
    return status;
  }

  public String errorCode() {
    return errorCode;
  }

  /**
   * Whether trying again later may succeed: no answer, a server error, or too many requests. A
   * malformed query or a refused login will not get better by itself.
   */
  public boolean retryable() {
    return status == 0
        || status >= 500
        || status == 429
        || errorCode.equals("REQUEST_LIMIT_EXCEEDED");
  }
}
