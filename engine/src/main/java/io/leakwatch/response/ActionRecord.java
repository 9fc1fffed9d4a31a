package io.leakwatch.response;

import io.leakwatch.decision.ResponseAction;
import java.time.Instant;

/**
 * One requested response action as the approval API shows it. Ids, names and outcomes only.
 *
 * @param id stable for the same alert and action, so a replayed alert never requests it twice
 * @param mode the mode it ran in: the weakest of the org's, the rule's and the drill limit
 * @param decidedBy who approved or rejected it, or null
 * @param rejection the reason given for a rejection, or null
 * @param outcome what Salesforce answered, or null before it ran
 */
public record ActionRecord(
    String id,
    String alertId,
    String ruleId,
    String requestedBy,
    ResponseAction action,
    String userId,
    ResponseMode mode,
    State state,
    Instant requestedAt,
    String decidedBy,
    String rejection,
    ActionOutcome outcome) {

  public enum State {
    /** Waiting for a human to approve or reject it. */
    PENDING,
    /** Written to the audit log only. */
    DRY_RUN,
    /** Approved or automatic, running now. */
    RUNNING,
    DONE,
    FAILED,
    REJECTED
  }

  ActionRecord with(
      State newState, String newDecidedBy, String newRejection, ActionOutcome newOutcome) {
    return new ActionRecord(
        id,
        alertId,
        ruleId,
        requestedBy,
        action,
        userId,
        mode,
        newState,
        requestedAt,
        newDecidedBy,
        newRejection,
        newOutcome);
  }
}
