package io.leakwatch.engine;

import io.leakwatch.pubsub.ReceivedEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges several topics into one stream in event-time order. Each topic arrives in replay order,
 * but topics run at their own pace (a backlog replayed after a restart races ahead), so feeding
 * them to one clock as they come would put a fast topic's future in a slow topic's windows.
 *
 * <p>An event is released once no other active topic can still deliver an earlier one: its time is
 * at or below every other topic's last received event time. A topic the server reports idle
 * (keepalive) holds nothing back. A topic that has delivered nothing for {@code maxWaitMillis} of
 * wall time stops holding others back too, so a stalled stream delays detection by at most that
 * much. (Silence is measured per topic, not as queueing time: under a backlog, events wait in the
 * queue because processing is busy, and that must not let one topic race ahead.) A topic whose
 * stream is known to be down (reconnecting) will deliver a backlog from the past when it is back,
 * so it holds the others back longer: up to {@code maxDownMillis} from when the event arrived or
 * the server answered again (another topic delivered), whichever is later; while every topic is
 * down (the server is away) nothing is released. Even an idle topic holds an event back for a short
 * grace period after it arrives, so two streams racing on the wire cannot reorder.
 */
final class EventTimeMerger {
  /** An event waiting for release, with the batch it came in. */
  record Pending(ReceivedEvent event, long time, Batch batch, long arrivedWall) {}

  /**
   * A batch from one subscription; complete once every event in it has been released and processed.
   */
  static final class Batch {
    private int remaining;
    private final Runnable onComplete;

    Batch(int size, Runnable onComplete) {
      this.remaining = size;
      this.onComplete = onComplete;
    }

    void done() {
      if (--remaining == 0) {
        onComplete.run();
      }
    }
  }

  private static final class Topic {
    final ArrayDeque<Pending> queue = new ArrayDeque<>();
    long watermark = Long.MIN_VALUE;
    boolean idle;
    long lastArrivalWall;
    long downSinceWall = -1;
    long maxWait = -1;

    /** When another topic first delivered or said idle after this one went down; -1 before. */
    long lifeSinceDownWall = -1;

    Topic(long wallNow) {
      lastArrivalWall = wallNow;
    }
  }

  private final Map<String, Topic> topics = new LinkedHashMap<>();
  private final long maxWaitMillis;
  private final long maxDownMillis;

  /**
   * How long an event waits for idle topics anyway: two streams' deliveries are never perfectly
   * simultaneous.
   */
  private final long graceMillis;

  EventTimeMerger(List<String> expectedTopics, long maxWaitMillis, long wallNow) {
    this.maxWaitMillis = maxWaitMillis;
    this.maxDownMillis = Math.max(maxWaitMillis, 30 * maxWaitMillis);
    this.graceMillis = Math.min(250, maxWaitMillis);
    expectedTopics.forEach(t -> topics.put(t, new Topic(wallNow)));
  }

  /**
   * How long {@code topicName} may hold the others back without delivering or moving on, instead of
   * {@code maxWaitMillis}: a polled source that reports progress each round needs less.
   */
  void limitWait(String topicName, long millis, long wallNow) {
    topics.computeIfAbsent(topicName, t -> new Topic(wallNow)).maxWait = millis;
  }

  void offer(String topicName, List<ReceivedEvent> events, Runnable onBatchComplete, long wallNow) {
    Topic topic = topics.computeIfAbsent(topicName, t -> new Topic(wallNow));
    topic.lastArrivalWall = wallNow;
    topic.downSinceWall = -1;
    signOfLife(wallNow);
    if (events.isEmpty()) {
      onBatchComplete.run();
      return;
    }
    Batch batch = new Batch(events.size(), onBatchComplete);
    for (ReceivedEvent event : events) {
      long time = eventTime(event, topic.watermark);
      topic.queue.add(new Pending(event, time, batch, wallNow));
      topic.watermark = Math.max(topic.watermark, time);
    }
    topic.idle = false;
  }

  /** The server said this topic has nothing more for now. */
  void idle(String topicName, long wallNow) {
    Topic topic = topics.get(topicName);
    if (topic != null && topic.queue.isEmpty()) {
      topic.idle = true;
      topic.downSinceWall = -1;
    }
    signOfLife(wallNow);
  }

  /** The server answers: the hold of every topic still down starts to run out. */
  private void signOfLife(long wallNow) {
    for (Topic topic : topics.values()) {
      if (topic.downSinceWall >= 0 && topic.lifeSinceDownWall < 0) {
        topic.lifeSinceDownWall = wallNow;
      }
    }
  }

  /**
   * A polled source has read everything up to {@code watermark}: events up to then need not wait
   * for it. Progress counts as activity; a report that does not move it on is not, so a source
   * stuck at one time stops holding others back after {@code maxWaitMillis}.
   */
  void advance(String topicName, long watermark, long wallNow) {
    Topic topic = topics.computeIfAbsent(topicName, t -> new Topic(wallNow));
    if (watermark > topic.watermark) {
      topic.watermark = watermark;
      topic.lastArrivalWall = wallNow;
      topic.downSinceWall = -1;
      topic.idle = false;
    }
  }

  /**
   * This topic's stream failed and is being reopened; what it delivers next may be older than the
   * others.
   */
  void down(String topicName, long wallNow) {
    Topic topic = topics.computeIfAbsent(topicName, t -> new Topic(wallNow));
    topic.idle = false;
    if (topic.downSinceWall < 0) {
      topic.downSinceWall = wallNow;
      topic.lifeSinceDownWall = -1;
    }
  }

  /** Takes every event that may be processed now, in event-time order. */
  List<Pending> release(long wallNow) {
    List<Pending> out = new ArrayList<>();
    while (true) {
      Topic next = null;
      for (Topic topic : topics.values()) {
        Pending head = topic.queue.peek();
        if (head != null && (next == null || head.time() < next.queue.peek().time())) {
          next = topic;
        }
      }
      if (next == null) {
        return out;
      }
      Pending head = next.queue.peek();
      if (!mayRelease(next, head, wallNow)) {
        return out;
      }
      out.add(next.queue.poll());
    }
  }

  private boolean mayRelease(Topic from, Pending head, long wallNow) {
    for (Topic other : topics.values()) {
      if (other != from
          && other.idle
          && other.queue.isEmpty()
          && other.watermark < head.time()
          && wallNow - head.arrivedWall() < graceMillis) {
        // An idle topic may be just about to deliver something older (its stream and this one
        // race on the wire): give it a moment.
        return false;
      }
      if (other != from && !other.idle && other.queue.isEmpty() && other.watermark < head.time()) {
        boolean down = other.downSinceWall >= 0;
        // A down topic's hold runs out maxDownMillis after the server showed signs of life (another
        // topic delivered or said idle) and the event arrived: while the whole server is away
        // nothing is released, so after an outage the first topic back still waits for the rest.
        if (down
            ? other.lifeSinceDownWall < 0
                || wallNow - Math.max(other.lifeSinceDownWall, head.arrivedWall()) < maxDownMillis
            : wallNow - other.lastArrivalWall
                < (other.maxWait >= 0 ? other.maxWait : maxWaitMillis)) {
          return false;
        }
        other.downSinceWall = -1;
        // Silent for too long: treat it as idle until it delivers again, so it stops holding
        // others.
        other.idle = true;
      }
    }
    return true;
  }

  boolean isEmpty() {
    return topics.values().stream().allMatch(t -> t.queue.isEmpty());
  }

  /** An event with no time (undecodable, or neither field) sorts with its predecessor. */
  private static long eventTime(ReceivedEvent event, long previous) {
    return EventTimes.of(event, previous == Long.MIN_VALUE ? Long.MIN_VALUE + 1 : previous);
  }
}
