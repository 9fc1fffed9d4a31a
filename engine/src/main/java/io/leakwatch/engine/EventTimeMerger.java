package io.leakwatch.engine;

import io.leakwatch.cep.EventTimeBound;
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
 * (keepalive) holds nothing back. A topic that has been silent for {@code maxWaitMillis} counts as
 * idle too, so a stalled stream delays detection by at most that much. Silence is measured on the
 * wire, not as queueing time (under a backlog, events wait here because processing is busy, and
 * that must not let one topic race ahead): a stream the server owes events is silent since its last
 * batch arrived or since it asked again, whichever is later; a stream whose credit was used up
 * cannot send anything until its batches are processed and their positions committed: its silence
 * starts when its last queued event is released, and a subscription, which says when it asks again,
 * holds the others until then (up to {@code maxDownMillis}), since a sink slow to take alerts can
 * delay the commit past the wait. A topic whose stream is known to be down (reconnecting) will
 * deliver a backlog from the past when it is back, so it holds the others back longer: up to {@code
 * maxDownMillis} from when the event arrived or the server answered again (another topic
 * delivered), whichever is later; while every topic is down (the server is away) nothing is
 * released. Even an idle topic holds an event back for a short grace period after it arrives, so
 * two streams racing on the wire cannot reorder. Only events near the newest event time received
 * can race that way: an idle topic's next events are published from now on, so an event {@link
 * #RACE_WINDOW_MILLIS} or more behind the newest (a backlog being caught up) has nothing to wait
 * for.
 *
 * <p>Every wait is measured on the merger's own clock: wall time, except that a gap between two
 * looks (calls) counts as at most {@link #MAX_STEP_MILLIS}. When the process stalls (a starved CPU,
 * a GC pause, a long batch on the detection thread), events keep arriving on the other threads
 * meanwhile; the first look after the stall must not find every wait run out and release ahead of
 * an older event that is already on its way. The engine looks every 100 ms, so outside a stall the
 * clock keeps wall time.
 */
final class EventTimeMerger {
  /**
   * An event waiting for release, with the batch it came in. {@code aheadMillis} is how far past
   * the host's clock its own time lay when it arrived, when that was more than the bound ({@link
   * #boundAhead}); 0 otherwise. Such an event sorts with its predecessor, and its time is not
   * trusted: the caller refuses it.
   */
  record Pending(ReceivedEvent event, long time, Batch batch, long arrived, long aheadMillis) {
    boolean aheadOfClock() {
      return aheadMillis > 0;
    }
  }

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
    long silentSince;
    long downSince = -1;
    long maxWait = -1;

    /**
     * Since when the server has owed this topic events without sending any (its last batch, or its
     * stream asking again after its credit was used up); -1 while its credit is used up.
     */
    long owedSince = -1;

    /**
     * Whether this topic's stream has said it asks again after its credit was used up: then a
     * used-up credit ends only with that message, not with silence.
     */
    boolean asksAgain;

    /** Why the merge last went on without this topic; null while it never did. */
    String passedBecause;

    /** When another topic first delivered or said idle after this one went down; -1 before. */
    long lifeSinceDown = -1;

    Topic(long now) {
      silentSince = now;
    }
  }

  /** The most a gap between two looks counts for: the engine looks every 100 ms. */
  static final long MAX_STEP_MILLIS = 100;

  /**
   * How far behind the newest event time received an event can still race an idle topic's next
   * event: what one stream's delivery may lag another's, in event time.
   */
  static final long RACE_WINDOW_MILLIS = 60_000;

  /**
   * How long after a topic goes down another topic's delivery may still be one sent before the
   * failure, and so no sign that the server answers again.
   */
  static final long STALE_SIGN_MILLIS = 1_000;

  /** Why a look released nothing more: what the event next in time waits for. */
  enum Hold {
    /** An idle topic's grace period: it may be about to deliver something older. */
    IDLE_GRACE("idle-grace"),
    /** A topic that has gone quiet without saying idle, for less than its wait. */
    QUIET("quiet"),
    /** A topic reconnecting (or every topic, while the server is away). */
    DOWN("down");

    /** As metrics label it. */
    final String label;

    Hold(String label) {
      this.label = label;
    }
  }

  /** What the merger sees as it works, for metrics and logs. */
  interface Observer {
    Observer NONE = new Observer() {};

    /** A look that left events waiting, and why. */
    default void held(Hold reason) {}

    /**
     * An event of {@code topic} released {@code lateMillis} of event time after a later event of
     * {@code ahead}: the merge stopped waiting for {@code topic} ({@code why}), and it came after
     * all.
     */
    default void outOfOrder(String topic, String ahead, long lateMillis, String why) {}
  }

  private final Map<String, Topic> topics = new LinkedHashMap<>();
  private final Observer observer;

  /** The newest event time received on any topic. */
  private long frontier = Long.MIN_VALUE;

  /** The newest event time released, and the topic it came from. */
  private long releasedUpTo = Long.MIN_VALUE;

  private String releasedUpToTopic;

  private Hold lastHold;

  private long lastWall;
  private long clock;
  private final long maxWaitMillis;
  private final long maxDownMillis;

  /** How far past the host's clock an event may be dated. */
  private EventTimeBound bound = EventTimeBound.NONE;

  /**
   * How long an event waits for idle topics anyway: two streams' deliveries are never perfectly
   * simultaneous.
   */
  private final long graceMillis;

  EventTimeMerger(List<String> expectedTopics, long maxWaitMillis, long wallNow) {
    this(expectedTopics, maxWaitMillis, wallNow, Observer.NONE);
  }

  EventTimeMerger(
      List<String> expectedTopics, long maxWaitMillis, long wallNow, Observer observer) {
    this.observer = observer;
    this.maxWaitMillis = maxWaitMillis;
    this.maxDownMillis = EngineSettings.reconnectingHoldMillis(maxWaitMillis);
    this.graceMillis = Math.min(250, maxWaitMillis);
    this.lastWall = wallNow;
    this.clock = wallNow;
    expectedTopics.forEach(t -> topics.put(t, new Topic(wallNow)));
  }

  /**
   * The merger's clock at {@code wallNow}: it moves with wall time, but by at most {@link
   * #MAX_STEP_MILLIS} since the previous look, and never back.
   */
  private long look(long wallNow) {
    if (wallNow > lastWall) {
      clock += Math.min(wallNow - lastWall, MAX_STEP_MILLIS);
      lastWall = wallNow;
    }
    return clock;
  }

  /**
   * How long {@code topicName} may hold the others back without delivering or moving on, instead of
   * {@code maxWaitMillis}: a polled source that reports progress each round needs less.
   */
  void limitWait(String topicName, long millis, long wall) {
    long now = look(wall);
    topics.computeIfAbsent(topicName, t -> new Topic(now)).maxWait = millis;
  }

  /**
   * Events dated past {@code bound} of the host's clock (wall time when they arrive) sort with
   * their predecessor and leave marked {@link Pending#aheadOfClock}: otherwise one bogus date would
   * sort last and hold its topic's queue, and so its stream, for as long as another topic delivers.
   * No bound by default: a simulated day may lie in the future.
   */
  void boundAhead(EventTimeBound bound) {
    this.bound = bound;
  }

  void offer(String topicName, List<ReceivedEvent> events, Runnable onBatchComplete, long wall) {
    offer(topicName, events, false, onBatchComplete, wall);
  }

  /**
   * @param owed the server was still owed events after this batch: its silence from now on means it
   *     had nothing more to send; otherwise the stream can send nothing until it asks again ({@link
   *     #owed}) or its events leave here
   */
  void offer(
      String topicName,
      List<ReceivedEvent> events,
      boolean owed,
      Runnable onBatchComplete,
      long wall) {
    long now = look(wall);
    Topic topic = topics.computeIfAbsent(topicName, t -> new Topic(now));
    topic.silentSince = now;
    topic.owedSince = owed ? now : -1;
    topic.downSince = -1;
    signOfLife(now);
    if (events.isEmpty()) {
      onBatchComplete.run();
      return;
    }
    Batch batch = new Batch(events.size(), onBatchComplete);
    for (ReceivedEvent event : events) {
      long ahead = aheadOf(event, wall);
      long time = eventTime(ahead > 0 ? null : event, topic.watermark);
      topic.queue.add(new Pending(event, time, batch, now, ahead));
      topic.watermark = Math.max(topic.watermark, time);
    }
    frontier = Math.max(frontier, topic.watermark);
    topic.idle = false;
  }

  /** The server said this topic has nothing more for now. */
  void idle(String topicName, long wall) {
    long now = look(wall);
    Topic topic = topics.get(topicName);
    if (topic != null && topic.queue.isEmpty()) {
      topic.idle = true;
      topic.downSince = -1;
    }
    signOfLife(now);
  }

  /** Whether events of this topic wait here to be released. */
  boolean holds(String topicName) {
    Topic topic = topics.get(topicName);
    return topic != null && !topic.queue.isEmpty();
  }

  /**
   * This topic's stream asks the server for events again after its credit was used up: its silence
   * counts from now, even while its last events still wait here.
   */
  void owed(String topicName, long wall) {
    long now = look(wall);
    Topic topic = topics.get(topicName);
    if (topic != null) {
      topic.owedSince = now;
      topic.asksAgain = true;
    }
  }

  /** The server answers: the hold of every topic still down starts to run out. */
  private void signOfLife(long now) {
    for (Topic topic : topics.values()) {
      // What another topic delivers right after this one went down was on its way before the
      // failure (streams fail together, but their last batches and failures reach here in any
      // order across subscriptions): not a sign that the server answers again.
      if (topic.downSince >= 0
          && topic.lifeSinceDown < 0
          && now - topic.downSince >= STALE_SIGN_MILLIS) {
        topic.lifeSinceDown = now;
      }
    }
  }

  /**
   * A polled source has read everything up to {@code watermark}: events up to then need not wait
   * for it. Progress counts as activity; a report that does not move it on is not, so a source
   * stuck at one time stops holding others back after {@code maxWaitMillis}.
   */
  void advance(String topicName, long watermark, long wall) {
    long now = look(wall);
    Topic topic = topics.computeIfAbsent(topicName, t -> new Topic(now));
    if (watermark > topic.watermark) {
      topic.watermark = watermark;
      topic.silentSince = now;
      topic.downSince = -1;
      topic.idle = false;
    }
  }

  /**
   * This topic's stream failed and is being reopened; what it delivers next may be older than the
   * others.
   */
  void down(String topicName, long wall) {
    long now = look(wall);
    Topic topic = topics.computeIfAbsent(topicName, t -> new Topic(now));
    topic.idle = false;
    if (topic.downSince < 0) {
      topic.downSince = now;
      topic.lifeSinceDown = -1;
    }
  }

  /** Takes every event that may be processed now, in event-time order. */
  List<Pending> release(long wall) {
    long now = look(wall);
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
        lastHold = null;
        return out;
      }
      Pending head = next.queue.peek();
      Hold hold = holdFor(next, head, now);
      lastHold = hold;
      if (hold != null) {
        observer.held(hold);
        return out;
      }
      out.add(next.queue.poll());
      noteOrder(next, head);
      if (next.queue.isEmpty()) {
        // Its silence starts now: while its events waited here, their batch held the stream's
        // credit, so it could not deliver more.
        next.silentSince = now;
      }
    }
  }

  /** What {@code head} still waits for, or null when it may be released now. */
  private Hold holdFor(Topic from, Pending head, long now) {
    for (Topic other : topics.values()) {
      if (other == from || !other.queue.isEmpty() || other.watermark >= head.time()) {
        continue;
      }
      if (!other.idle) {
        boolean down = other.downSince >= 0;
        long wait = other.maxWait >= 0 ? other.maxWait : maxWaitMillis;
        long silentSince = other.owedSince >= 0 ? other.owedSince : other.silentSince;
        if (other.owedSince < 0 && other.asksAgain) {
          // A subscription whose credit is used up sends nothing until its last batch is committed
          // and it asks again, which it says: a sink slow to take alerts delays that, and that is
          // no silence. Wait for it as for a stream that is down.
          wait = Math.max(wait, maxDownMillis);
        }
        // A down topic's hold runs out maxDownMillis after the server showed signs of life
        // (another topic delivered or said idle) and the event arrived: while the whole server is
        // away nothing is released, so after an outage the first topic back still waits for the
        // rest.
        if (down
            ? other.lifeSinceDown < 0
                || now - Math.max(other.lifeSinceDown, head.arrived()) < maxDownMillis
            : now - silentSince < wait) {
          return down ? Hold.DOWN : Hold.QUIET;
        }
        other.passedBecause =
            down
                ? "it was reconnecting for longer than " + maxDownMillis + " ms"
                : "it was silent for " + wait + " ms";
        other.downSince = -1;
        // Silent for too long: idle until it delivers again, so it stops holding others.
        other.idle = true;
      }
      if (now - head.arrived() < graceMillis && head.time() >= frontier - RACE_WINDOW_MILLIS) {
        // An idle topic may be just about to deliver something older (its stream and this one
        // race on the wire): give it a moment.
        return Hold.IDLE_GRACE;
      }
      if (other.passedBecause == null) {
        other.passedBecause = "it said it was idle";
      }
    }
    return null;
  }

  /** Reports an event released behind a later one of another topic. */
  private void noteOrder(Topic from, Pending released) {
    if (released.time() >= releasedUpTo) {
      releasedUpTo = released.time();
      releasedUpToTopic = released.event().topic();
      from.passedBecause = null;
      return;
    }
    String topic = released.event().topic();
    if (!topic.equals(releasedUpToTopic)) {
      observer.outOfOrder(
          topic,
          releasedUpToTopic,
          releasedUpTo - released.time(),
          from.passedBecause == null ? "unknown" : from.passedBecause);
    }
  }

  /** What the last look left events waiting for; null when it released everything. */
  Hold lastHold() {
    return lastHold;
  }

  boolean isEmpty() {
    return topics.values().stream().allMatch(t -> t.queue.isEmpty());
  }

  /**
   * How far the event's own time lies past {@code wall}, when that is more than the bound; 0
   * otherwise, and for an event without a time of its own (refused, if at all, for that reason).
   */
  private long aheadOf(ReceivedEvent event, long wall) {
    if (!bound.bounded()) {
      return 0;
    }
    long own = EventTimes.of(event, Long.MIN_VALUE);
    return own == Long.MIN_VALUE ? 0 : bound.excess(own, wall);
  }

  /**
   * An event with no time (undecodable, or neither field; null for one whose time is not trusted)
   * sorts with its predecessor.
   */
  private static long eventTime(ReceivedEvent event, long previous) {
    long fallback = previous == Long.MIN_VALUE ? Long.MIN_VALUE + 1 : previous;
    return event == null ? fallback : EventTimes.of(event, fallback);
  }
}
