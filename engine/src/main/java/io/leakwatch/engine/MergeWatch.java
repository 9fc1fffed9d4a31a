package io.leakwatch.engine;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts what the event-time merge waits for, and says when it had to process an event out of
 * order: windows then counted that event at a later time than its own, so a count over a window may
 * be off. It is said at most once a minute per topic, with how many events and how late.
 */
final class MergeWatch implements EventTimeMerger.Observer {
  private static final Logger LOG = LoggerFactory.getLogger(MergeWatch.class);
  private static final long REPORT_EVERY_MILLIS = 60_000;

  private final PipelineStats stats;
  private final Map<String, Unreported> unreported = new HashMap<>();

  /** Out-of-order events of one topic not yet in a log line. */
  private static final class Unreported {
    long lastLogged = Long.MIN_VALUE;
    long events;
    long latestMillis;
  }

  MergeWatch(PipelineStats stats) {
    this.stats = stats;
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
    long wall = System.currentTimeMillis();
    if (pending.lastLogged != Long.MIN_VALUE && wall - pending.lastLogged < REPORT_EVERY_MILLIS) {
      return;
    }
    LOG.warn(
        "{} event(s) of {} processed out of event-time order, up to {} ms behind events of {}"
            + " already processed: the merge stopped waiting for {} because {}. Windows counted"
            + " them at the later time; counts over windows near them may be off"
            + " (leakwatch_events_out_of_order_total)",
        pending.events,
        topic,
        pending.latestMillis,
        ahead,
        topic,
        why);
    pending.lastLogged = wall;
    pending.events = 0;
    pending.latestMillis = 0;
  }
}
