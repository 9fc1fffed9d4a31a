package io.leakwatch.ruletest;

import java.util.List;

/**
 * One rule test: events in, the alerts that must come out (all of them: an unexpected alert from
 * any rule fails the case too).
 *
 * @param ruleFolder the rule folder the case lives in
 * @param source the file it was read from
 * @param doc the documentation page the case follows ("" when it names none); conformance cases
 *     must name one
 */
public record RuleTestCase(
    String ruleFolder,
    String name,
    String doc,
    String source,
    List<EventJson> events,
    List<Expected> expect) {
  /** An expected alert; severity, principal and suppressed may be left out to match any. */
  public record Expected(String rule, String severity, String principal, Boolean suppressed) {
    @Override
    public String toString() {
      return rule
          + (severity == null ? "" : " " + severity)
          + (principal == null ? "" : " " + principal)
          + (Boolean.TRUE.equals(suppressed) ? " suppressed" : "");
    }
  }
}
