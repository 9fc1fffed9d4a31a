package io.leakwatch.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * A cumulative histogram with fixed bucket bounds, safe to record into from any thread. Recording
 * is a bucket search over a dozen bounds and two adds: cheap enough for every event.
 */
public final class LatencyHistogram {
  /** Upper bounds in seconds, from 100 µs to 10 s; Prometheus adds +Inf. */
  public static final double[] DEFAULT_BOUNDS_SECONDS = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  private final double[] bounds;
  private final long[] boundsNanos;
  private final LongAdder[] counts;
  private final LongAdder sumNanos = new LongAdder();

  public LatencyHistogram() {
    this(DEFAULT_BOUNDS_SECONDS);
  }

  public LatencyHistogram(double[] boundsSeconds) {
    bounds = boundsSeconds.clone();
    boundsNanos = new long[bounds.length];
    counts = new LongAdder[bounds.length + 1];
    for (int i = 0; i < bounds.length; i++) {
      if (i > 0 && bounds[i] <= bounds[i - 1]) {
        throw new IllegalArgumentException("bucket bounds must increase");
      }
      boundsNanos[i] = (long) (bounds[i] * 1e9);
    }
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
    }
  }

  public void recordNanos(long nanos) {
    long value = Math.max(0, nanos);
    int i = 0;
    while (i < boundsNanos.length && value > boundsNanos[i]) {
      i++;
    }
    counts[i].increment();
    sumNanos.add(value);
  }

  /** A consistent-enough copy for one scrape: cumulative counts per bound, then the +Inf total. */
  public Snapshot snapshot() {
    long[] cumulative = new long[counts.length];
    long running = 0;
    for (int i = 0; i < counts.length; i++) {
      running += counts[i].sum();
      cumulative[i] = running;
    }
    return new Snapshot(bounds.clone(), cumulative, sumNanos.sum() / 1e9);
  }

  /**
   * @param cumulative count of observations at or under each bound; the last entry (one more than
   *     the bounds) is the total
   */
  public record Snapshot(double[] boundsSeconds, long[] cumulative, double sumSeconds) {
    public long count() {
      return cumulative[cumulative.length - 1];
    }
  }
}
