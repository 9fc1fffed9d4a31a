package io.leakwatch.checkpoint;

import io.leakwatch.pubsub.ReplayId;
import java.util.ArrayDeque;

/**
 * Chooses where one topic resumes after a restart. Resuming just after the last processed event
 * would lose the rules' window state (half a bulk read before the crash, half after, and neither
 * half crosses the threshold), so the resume point trails event time by a horizon at least as long
 * as the longest window. Events in between are processed twice; their alerts are recognized by id.
 *
 * <p>A keepalive's replay id is a position too: the server has nothing for the topic before it. A
 * topic with no events yet gets a position that way (a restart resumes there instead of at the
 * configured start, which skips what came while the engine was down), and a quiet topic's position
 * keeps moving (a replay id older than the server's retention is refused, and would be reported as
 * a monitoring gap though nothing was missed).
 */
public final class ResumeTracker {
  /**
   * How far behind this host's clock a caught-up topic's event time is taken to be at most: a
   * keepalive moves the topic's horizon to at least a day before it came. So a position is offered
   * for at most about a day after the topic's last event (plus the horizon) before a keepalive's
   * takes over: long enough for any backlog the other topics may still be replaying, well inside
   * the 72 hours the server keeps replay ids.
   */
  public static final long CAUGHT_UP_LAG_MILLIS = 24 * 3_600_000L;

  /**
   * A position, and the event time of the newest event at or before it (a keepalive's is that of
   * the topic's last event).
   */
  private record Mark(long eventTime, ReplayId replayId) {}

  private final String topic;
  private final long horizonMillis;
  private final ArrayDeque<Mark> marks = new ArrayDeque<>();
  private Mark resume;
  private Mark last;
  private long lastEventTime;

  /**
   * @param start the checkpoint this run resumed from, or null
   */
  public ResumeTracker(String topic, long horizonMillis, Checkpoint start) {
    this.topic = topic;
    this.horizonMillis = horizonMillis;
    if (start != null && start.resumeAfter() != null) {
      resume = new Mark(start.resumeEventTime(), start.resumeAfter());
      lastEventTime = start.lastEventTime();
    }
  }

  /** A batch is fully processed; {@code eventTime} is that of its newest event. */
  public void processed(ReplayId replayId, long eventTime) {
    lastEventTime = eventTime;
    add(new Mark(eventTime, replayId), eventTime);
  }

  /**
   * The server sent a keepalive carrying {@code replayId} while every event handed off before it
   * was processed. Returns whether the checkpoint changed (a keepalive repeating the last position
   * changes nothing).
   *
   * @param wallMillis this host's clock when it came
   */
  public boolean keepAlive(ReplayId replayId, long wallMillis) {
    if (last != null && last.replayId().equals(replayId)) {
      return false;
    }
    add(
        new Mark(lastEventTime, replayId),
        Math.max(lastEventTime, wallMillis - CAUGHT_UP_LAG_MILLIS));
    return true;
  }

  /**
   * The server refused the position this tracker gave: forget it, so neither a reconnect nor the
   * next checkpoint offers it again. The stream's next events or keepalive give a new one.
   */
  public void positionRejected() {
    marks.clear();
    resume = null;
    last = null;
  }

  /**
   * Records a position; a restart need not read again what lies a horizon before {@code now}, the
   * topic's event time.
   */
  private void add(Mark mark, long now) {
    last = mark;
    marks.addLast(mark);
    long horizon = now - horizonMillis;
    while (!marks.isEmpty() && marks.peekFirst().eventTime() <= horizon) {
      resume = marks.pollFirst();
    }
    if (resume == null) {
      // Nothing older than the horizon yet: resume from the oldest batch this run processed.
      resume = marks.peekFirst();
    }
  }

  /** Where this topic stands now; null until it has a position. */
  public Checkpoint checkpoint() {
    if (last == null) {
      return null;
    }
    return new Checkpoint(
        topic, resume.replayId(), resume.eventTime(), last.replayId(), lastEventTime);
  }
}
