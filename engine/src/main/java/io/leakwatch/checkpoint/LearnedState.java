package io.leakwatch.checkpoint;

import io.leakwatch.cep.SavedTable;
import io.leakwatch.pubsub.ReplayId;
import java.util.Map;

/**
 * What the rules had learned at one event-time instant, and where every topic stood at that
 * instant: restoring the tables and resuming each topic just after its position reproduces exactly
 * the state a run without the restart would have had (no event counted twice, none skipped).
 *
 * @param eventTime the instant, on event time
 * @param watchedSince event time since which this engine has watched without losing state (a day
 *     before it is not a whole day watched)
 * @param positions per topic, the last event processed at {@code eventTime}
 * @param tables the durable tables' rows, by id ({@code ruleId/TableName})
 * @param loginHistory the LoginHistory poll's cursor and the logins taken at that instant (those in
 *     the tables), or null without the poll: a restart reads LoginHistory again from there, so a
 *     login the poll delivered after the instant is delivered again and one before it is not
 */
public record LearnedState(
    long eventTime,
    long watchedSince,
    Map<String, Position> positions,
    Map<String, SavedTable> tables,
    LoginCursor loginHistory) {

  /** Learned state without the LoginHistory poll. */
  public LearnedState(
      long eventTime,
      long watchedSince,
      Map<String, Position> positions,
      Map<String, SavedTable> tables) {
    this(eventTime, watchedSince, positions, tables, null);
  }

  /** The same state with the poll's standing at its instant. */
  public LearnedState withLoginHistory(LoginCursor cursor) {
    return new LearnedState(eventTime, watchedSince, positions, tables, cursor);
  }

  /**
   * Where one topic stood.
   *
   * @param after the last event processed, or null when none was yet in this engine's life (the
   *     topic starts from the configured start)
   * @param eventTime that event's time (0 when none)
   */
  public record Position(ReplayId after, long eventTime) {}

  public LearnedState {
    positions = Map.copyOf(positions);
    tables = Map.copyOf(tables);
  }
}
