package io.leakwatch.decision;

/**
 * A decision rule's request to act on an alert's principal. Whether anything happens is the org's
 * response mode's call (off, dry run, approval, auto); a rule can only make it stricter.
 *
 * @param requestedBy the DRL rule that asked
 * @param needsApproval the rule wants a human to approve this action even where the org runs
 *     actions automatically
 */
public record ResponseRequest(ResponseAction action, String requestedBy, boolean needsApproval) {}
