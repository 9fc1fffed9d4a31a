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
  /**
   * An expected alert; every detail but the rule may be left out to match any.
   *
   * @param subjects user ids the alert must name among its subjects (the impacted users)
   * @param joins a rule whose alert in the same case opened the incident this alert joins
   * @param count the alert's count (rows, events), or null for any
   * @param revision the alert's revision (1 when first raised), or null for any
   */
  public record Expected(
      String rule,
      String severity,
      String principal,
      Boolean suppressed,
      List<String> subjects,
      String joins,
      Long count,
      Integer revision) {
    public Expected {
      subjects = subjects == null ? List.of() : List.copyOf(subjects);
    }

    @Override
    public String toString() {
      return rule
          + (severity == null ? "" : " " + severity)
          + (principal == null ? "" : " " + principal)
          + (Boolean.TRUE.equals(suppressed) ? " suppressed" : "")
          + (subjects.isEmpty() ? "" : " subjects " + subjects)
          + (joins == null ? "" : " joining " + joins + "'s incident")
          + (count == null ? "" : " count " + count)
          + (revision == null ? "" : " revision " + revision);
    }
  }
}
