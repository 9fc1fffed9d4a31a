package io.leakwatch.decision;

import io.leakwatch.rulepack.Severity;
import java.util.ArrayList;
import java.util.List;

/**
 * The DRL global {@code decisions}: decision rules call {@link #raise} to say how serious a
 * detection is and why. Several rules may speak about one detection; the highest severity wins and
 * every reason is kept, so an auditor can see each rule that weighed in.
 */
public final class Decisions {
  private Severity severity;
  private final List<String> reasons = new ArrayList<>();
  private final List<String> decidedBy = new ArrayList<>();
  private final List<ResponseRequest> responses = new ArrayList<>();

  /** Called from DRL. {@code rule} is the DRL rule's name ({@code drools.getRule().getName()}). */
  public void raise(String rule, String severity, String reason) {
    Severity level = Severity.parse(severity);
    if (this.severity == null || level.compareTo(this.severity) > 0) {
      this.severity = level;
    }
    reasons.add(reason);
    decidedBy.add(rule);
  }

  /**
   * Called from DRL: ask for a response action ({@code freezeUser}, {@code revokeTokens}, {@code
   * endSession}) against the detection's principal. The org's response mode decides whether it is
   * only audited, queued for approval or run.
   */
  public void respond(String rule, String action) {
    request(rule, action, false);
  }

  /**
   * Called from DRL: like {@link #respond}, but a human must approve it even when the org runs
   * actions automatically.
   */
  public void respondAfterApproval(String rule, String action) {
    request(rule, action, true);
  }

  private void request(String rule, String action, boolean needsApproval) {
    ResponseAction parsed = ResponseAction.parse(action);
    responses.removeIf(r -> r.action() == parsed && (needsApproval || !r.needsApproval()));
    if (responses.stream().noneMatch(r -> r.action() == parsed)) {
      responses.add(new ResponseRequest(parsed, rule, needsApproval));
    }
  }

  void reset() {
    severity = null;
    reasons.clear();
    decidedBy.clear();
    responses.clear();
  }

  List<ResponseRequest> responses() {
    return List.copyOf(responses);
  }

  Severity severity() {
    return severity;
  }

  List<String> reasons() {
    return List.copyOf(reasons);
  }

  List<String> decidedBy() {
    return List.copyOf(decidedBy);
  }
}
