package io.leakwatch.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts what the event-time merge waits for, and says when it had to process an event out of
 * order: windows then counted that event at a later time than its own, so a count over a window may
 * be off. It is said at most once a minute per topic, with how many events and how late; what came
 * within that minute is said once the minute is over ({@link #flush}), not only when the next one
 * comes.
 */
final class MergeWatch implements EventTimeMerger.Observer {
  private static final Logger LOG = LoggerFactory.getLogger(MergeWatch.class);
  private static final long REPORT_EVERY_MILLIS = 60_000;

  private final PipelineStats stats;
  private final Consumer<String> warn;
  private final LongSupplier wallClock;
  private final Map<String, Unreported> unreported = new HashMap<>();

  /** Out-of-order events of one topic not yet in a log line. */
  private static final class Unreported {
    long lastLogged = Long.MIN_VALUE;
    long events;
    long latestMillis;
    String ahead;
    String why;

    boolean due(long wall) {
      return events > 0
          && (lastLogged == Long.MIN_VALUE || wall - lastLogged >= REPORT_EVERY_MILLIS);
    }
  }

  MergeWatch(PipelineStats stats) {
    this(stats, LOG::warn, System::currentTimeMillis);
  }

  MergeWatch(PipelineStats stats, Consumer<String> warn, LongSupplier wallClock) {
    this.stats = stats;
    this.warn = warn;
    this.wallClock = wallClock;
  }

  @Override
  public void held(EventTimeMerger.Hold reason) {
    stats.mergeHeld(reason);
  }

  @Override
  public void outOfOrder(String topic, String ahead, long lateMillis, String why) {
    stats.outOfOrder(topic);
    Unreported pending = unreported.computeIfAbsent(topic, t -> new Unreported());
    pending.events++;
    pending.latestMillis = Math.max(pending.latestMillis, lateMillis);
    pending.ahead = ahead;
    pending.why = why;
    long wall = wallClock.getAsLong();
    if (pending.due(wall)) {
      report(topic, pending, wall);
    }
  }

  /**
   * Says what the last minute held back from the log; the detection worker calls it each second.
   */
  void flush() {
    long wall = wallClock.getAsLong();
    unreported.forEach(
        (topic, pending) -> {
          if (pending.due(wall)) {
            report(topic, pending, wall);
          }
        });
  }

  private void report(String topic, Unreported pending, long wall) {
    warn.accept(
        pending.events
            + " event(s) of "
            + topic
            + " processed out of event-time order, up to "
            + pending.latestMillis
            + " ms behind events of "
            + pending.ahead
            + " already processed (the latest of them): the merge stopped waiting for "
            + topic
            + " because "
            + pending.why
            + ". Windows counted them at the later time; counts over windows near them may be off"
            + " (leakwatch_events_out_of_order_total)");
    pending.lastLogged = wall;
    pending.events = 0;
    pending.latestMillis = 0;
  }
}
