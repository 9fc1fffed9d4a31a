package io.leakwatch.cli;

import io.leakwatch.sim.traffic.SpooledDay;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;

/**
 * The few events that took longest in a bench run, with their stream and event time: where a
 * latency spike comes from (a window boundary, a day rolling over), named without any payload.
 */
final class SlowestEvents {
  private record Entry(long nanos, String topic, long eventDate) {}

  private final int keep;
  private final PriorityQueue<Entry> fastestFirst =
      new PriorityQueue<>(Comparator.comparingLong(Entry::nanos));

  SlowestEvents(int keep) {
    this.keep = keep;
  }

  void offer(long nanos, SpooledDay.Event event) {
    if (fastestFirst.size() < keep) {
      fastestFirst.add(new Entry(nanos, event.topic(), event.eventDate()));
    } else if (nanos > fastestFirst.peek().nanos()) {
      fastestFirst.poll();
      fastestFirst.add(new Entry(nanos, event.topic(), event.eventDate()));
    }
  }

  /** Slowest first: "12.3 ms /event/ApiEventStream at 2026-03-10T00:00:01Z". */
  List<String> describe() {
    List<Entry> entries = new ArrayList<>(fastestFirst);
    entries.sort(Comparator.comparingLong(Entry::nanos).reversed());
    List<String> out = new ArrayList<>();
    for (Entry e : entries) {
      out.add(
          String.format(
              Locale.ROOT,
              "%.1f ms %s at %s",
              e.nanos() / 1e6,
              e.topic(),
              Instant.ofEpochMilli(e.eventDate())));
    }
    return out;
  }
}
