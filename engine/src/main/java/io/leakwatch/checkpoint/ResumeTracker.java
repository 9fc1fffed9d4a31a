package io.leakwatch.checkpoint;

import io.leakwatch.pubsub.ReplayId;
import java.util.ArrayDeque;

/**
 * Chooses where one topic resumes after a restart. Resuming just after the last processed event
 * would lose the rules' window state (half a bulk read before the crash, half after, and neither
 * half crosses the threshold), so the resume point trails event time by a horizon at least as long
 * as the longest window. Events in between are processed twice; their alerts are recognized by id.
 */
public final class ResumeTracker {
  private record Mark(long eventTime, ReplayId replayId) {}

  private final String topic;
  private final long horizonMillis;
  private final ArrayDeque<Mark> marks = new ArrayDeque<>();
  private Mark resume;
  private Mark last;

  /**
   * @param start the checkpoint this run resumed from, or null
   */
  public ResumeTracker(String topic, long horizonMillis, Checkpoint start) {
    this.topic = topic;
    this.horizonMillis = horizonMillis;
    if (start != null && start.resumeAfter() != null) {
      resume = new Mark(start.resumeEventTime(), start.resumeAfter());
    }
  }

  /** A batch is fully processed; {@code eventTime} is that of its newest event. */
  public void processed(ReplayId replayId, long eventTime) {
    Mark mark = new Mark(eventTime, replayId);
    last = mark;
    marks.addLast(mark);
    long horizon = eventTime - horizonMillis;
    while (!marks.isEmpty() && marks.peekFirst().eventTime() <= horizon) {
      resume = marks.pollFirst();
    }
    if (resume == null) {
      // Nothing older than the horizon yet: resume from the oldest batch this run processed.
      resume = marks.peekFirst();
    }
  }

  public Checkpoint checkpoint() {
    if (last == null) {
      return null;
    }
    return new Checkpoint(
        topic, resume.replayId(), resume.eventTime(), last.replayId(), last.eventTime());
  }
}
