package io.leakwatch.decision;

import java.util.List;
import java.util.Map;

/**
 * A pattern Esper found, as the fact DRL rules reason about. It holds counts, ids and object names,
 * never record values: everything here may end up in an alert.
 *
 * @param ruleId the rule whose EPL found it
 * @param principal the Salesforce user id the pattern is about
 * @param integration the integration's name when the principal is an integration user, else null
 * @param count what the rule counts (rows, events), or 0
 * @param objects the objects involved, comma-separated API names
 * @param evidence EventIdentifiers of the events that make up the pattern
 * @param attributes further columns the EPL selected, by name
 */
public record Detection(
    String ruleId,
    String principal,
    String integration,
    long count,
    String objects,
    long firstEventTime,
    long lastEventTime,
    long detectedAt,
    List<String> evidence,
    Map<String, Object> attributes) {

  /**
   * The attribute naming the streams behind a detection, comma-separated channel names such as
   * {@code ApiEventStream}; the detector fills it when the rule's EPL does not.
   */
  public static final String STREAMS = "streams";

  /**
   * The attribute by which a rule says a detection revises the alert with its {@code alertKey} (new
   * count, times and evidence), so it goes out as that alert's next revision even at the same
   * severity.
   */
  public static final String REVISES = "revises";

  /** The streams behind this detection, in the order named. */
  public List<String> streams() {
    Object value = attributes.get(STREAMS);
    if (!(value instanceof String names) || names.isBlank()) {
      return List.of();
    }
    return java.util.Arrays.stream(names.split(","))
        .map(String::trim)
        .filter(name -> !name.isEmpty())
        .distinct()
        .toList();
  }

  /** For DRL: {@code Detection(isIntegration)} reads better than a null check. */
  public boolean isIntegration() {
    return integration != null;
  }

  /** A numeric attribute, or 0 when absent. */
  public long number(String name) {
    Object value = attributes.get(name);
    return value instanceof Number n ? n.longValue() : 0;
  }

  /** A boolean attribute, false when absent. */
  public boolean flag(String name) {
    return Boolean.TRUE.equals(attributes.get(name));
  }
}
