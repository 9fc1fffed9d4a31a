package io.leakwatch.decision;

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

  /** Called from DRL. {@code rule} is the DRL rule's name ({@code drools.getRule().getName()}). */
  public void raise(String rule, String severity, String reason) {
    Severity level = Severity.parse(severity);
    if (this.severity == null || level.compareTo(this.severity) > 0) {
      this.severity = level;
    }
    reasons.add(reason);
    decidedBy.add(rule);
  }

  void reset() {
    severity = null;
    reasons.clear();
    decidedBy.clear();
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
