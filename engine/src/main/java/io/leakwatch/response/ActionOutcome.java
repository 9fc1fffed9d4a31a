package io.leakwatch.response;

/**
 * What came of running one action against Salesforce.
 *
 * @param done whether Salesforce confirmed every change
 * @param status the HTTP status of the last call (0 when no answer came)
 * @param errorCode Salesforce's error code, or a short reason of our own; null when done
 * @param attempts calls made, retries included
 * @param affected records changed: the frozen login, revoked tokens, ended sessions
 */
public record ActionOutcome(
    boolean done, int status, String errorCode, int attempts, int affected) {
  public static ActionOutcome done(int status, int attempts, int affected) {
    return new ActionOutcome(true, status, null, attempts, affected);
  }

  public static ActionOutcome failed(int status, String errorCode, int attempts, int affected) {
    return new ActionOutcome(false, status, errorCode, attempts, affected);
  }
}
