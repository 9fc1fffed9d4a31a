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
 * moves on once the org's event time is a horizon past its last event (a replay id older than the
 * server's retention is refused, and would be reported as a monitoring gap though nothing was
 * missed).
 */
public final class ResumeTracker {
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
   * @param orgEventTime how far detection's event time, merged over every topic, has come ({@link
   *     Long#MIN_VALUE} before the first event): a restart resumes all topics about there, so this
   *     topic's events a horizon before it need not be read again
   */
  public boolean keepAlive(ReplayId replayId, long orgEventTime) {
    if (last != null && last.replayId().equals(replayId)) {
      return false;
    }
    add(new Mark(lastEventTime, replayId), Math.max(lastEventTime, orgEventTime));
    return true;
  }

  /**
   * The event time restored from the checkpoint is not to be trusted (dated past this host's clock
   * by a build that took a misdated event's time): a keepalive's position must not carry it.
   */
  public void distrustEventTime() {
    lastEventTime = 0;
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
