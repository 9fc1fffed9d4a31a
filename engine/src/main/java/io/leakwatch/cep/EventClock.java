package io.leakwatch.cep;

/**
 * Event time for the whole pipeline. Time only moves forward: an event's EventDate pushes it on, a
 * late event is processed at the current time. When the stream is quiet, {@link #onIdle} lets time
 * flow with the wall clock so windows still close; a replay that keeps events coming is never idle,
 * so its results do not depend on how fast it runs.
 */
public final class EventClock {
  private final long idleAfterMillis;
  private long now = Long.MIN_VALUE;
  private long lastActivityWall;

  /**
   * @param idleAfterMillis wall time without events before time starts to flow by itself; 0
   *     disables it
   */
  public EventClock(long idleAfterMillis) {
    this.idleAfterMillis = idleAfterMillis;
  }

  public boolean started() {
    return now != Long.MIN_VALUE;
  }

  public long now() {
    return now;
  }

  /** Moves to {@code eventTime} if that is later; returns the time events are processed at. */
  public long onEvent(long eventTime, long wallNow) {
    lastActivityWall = wallNow;
    if (eventTime > now) {
      now = eventTime;
    }
    return now;
  }

  /**
   * Called on a heartbeat or keepalive. Returns the new time if the quiet stream let time flow on,
   * or {@code Long.MIN_VALUE} if time stays where it is.
   */
  public long onIdle(long wallNow) {
    if (idleAfterMillis <= 0 || !started()) {
      return Long.MIN_VALUE;
    }
    long quiet = wallNow - lastActivityWall;
    if (quiet < idleAfterMillis) {
      return Long.MIN_VALUE;
    }
    now += quiet;
    lastActivityWall = wallNow;
    return now;
  }

  /** Moves time to {@code target} if later (end of a replay, tests). */
  public long advanceTo(long target) {
    if (target > now) {
      now = target;
    }
    return now;
  }
}
