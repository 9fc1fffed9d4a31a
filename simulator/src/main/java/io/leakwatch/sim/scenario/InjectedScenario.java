package io.leakwatch.sim.scenario;

import java.util.List;
import java.util.Set;

/**
 * A scenario as staged in one run: the events it added, by EventIdentifier, and when it started
 * leaking.
 */
public record InjectedScenario(
    String id,
    String title,
    List<String> expectedRules,
    Set<String> eventIds,
    long firstEventTime) {}
