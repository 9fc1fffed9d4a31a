package io.leakwatch.learn;

import io.leakwatch.checkpoint.LearnedState;
import java.util.Map;

/**
 * What the rules learned from an org's stored event history, and what it took: the durable tables
 * as a {@link LearnedState} without topic positions (the topics start as on a fresh install), with
 * counts only (never a value of an event).
 *
 * @param state the durable tables at {@code to}
 * @param from start of the history read (epoch millis)
 * @param to end of the history read
 * @param eventsByObject stored events read and run through the rules, per stored object
 * @param users distinct users (people and integrations) whose events were read
 * @param days UTC days with at least one event
 * @param unusable stored events the rules could not take, per reason (a reason names a field, never
 *     its value)
 * @param calls REST calls made
 */
public record Seed(
    LearnedState state,
    long from,
    long to,
    Map<String, Long> eventsByObject,
    int users,
    int days,
    Map<String, Long> unusable,
    long calls) {

  public Seed {
    eventsByObject = Map.copyOf(eventsByObject);
    unusable = Map.copyOf(unusable);
  }

  public long events() {
    return eventsByObject.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Rows per durable table id ({@code ruleId/Table}). */
  public Map<String, Integer> rowsByTable() {
    Map<String, Integer> out = new java.util.TreeMap<>();
    state.tables().forEach((id, table) -> out.put(id, table.rows().size()));
    return out;
  }
}
