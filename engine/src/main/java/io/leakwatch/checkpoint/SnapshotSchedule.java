package io.leakwatch.checkpoint;

import io.leakwatch.pubsub.ReplayId;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * When to take the learned state and when it may be saved. A snapshot is taken at most once per
 * resume horizon of event time, with every topic's position at that instant; it is saved only once
 * event time is a horizon past it, so a restart still reprocesses a horizon of events and rebuilds
 * the windows that are not durable. The saved state thus trails event time by one to two horizons.
 */
public final class SnapshotSchedule {
  private final long horizonMillis;
  private final Map<String, LearnedState.Position> positions = new LinkedHashMap<>();
  private long next = Long.MIN_VALUE;
  private LearnedState pending;

  /**
   * @param start each topic's position when this run started (where it resumed from)
   */
  public SnapshotSchedule(long horizonMillis, Map<String, LearnedState.Position> start) {
    this.horizonMillis = horizonMillis;
    positions.putAll(start);
  }

  /** One event of {@code topic} is processed. */
  public void processed(String topic, ReplayId replayId, long eventTime) {
    if (replayId != null) {
      positions.put(topic, new LearnedState.Position(replayId, eventTime));
    }
  }

  /** Whether a snapshot should be taken now, at {@code eventTime}. */
  public boolean due(long eventTime) {
    return pending == null && eventTime >= next;
  }

  /** Every topic's position now. */
  public Map<String, LearnedState.Position> positions() {
    return Map.copyOf(positions);
  }

  /** The snapshot just taken; it waits one horizon before it may be saved. */
  public void taken(LearnedState state) {
    pending = state;
    next = state.eventTime() + horizonMillis;
  }

  /** The snapshot a horizon behind {@code eventTime}, handed over once; null when none is. */
  public LearnedState ready(long eventTime) {
    if (pending == null || eventTime < pending.eventTime() + horizonMillis) {
      return null;
    }
    LearnedState out = pending;
    pending = null;
    return out;
  }
}
