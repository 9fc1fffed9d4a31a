package io.leakwatch.api;

import io.leakwatch.alert.SpooledAlertSink;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The spooled sinks' series on {@code /metrics}, labelled by sink name only: one spool serves every
 * org of the process, so an org label would repeat the same numbers under each org (and double them
 * in a sum). Read live from the sinks at scrape time.
 */
final class SinkMetrics {
  private final MeterRegistry registry;
  private final Supplier<List<MonitoredOrg>> orgs;
  private final MultiGauge pending;
  private final MultiGauge oldest;
  private final Set<String> counted = new HashSet<>();

  SinkMetrics(MeterRegistry registry, Supplier<List<MonitoredOrg>> orgs) {
    this.registry = registry;
    this.orgs = orgs;
    pending =
        MultiGauge.builder("leakwatch.sink.pending")
            .description("Alerts spooled for the sink and not yet delivered or dead-lettered.")
            .register(registry);
    oldest =
        MultiGauge.builder("leakwatch.sink.oldest.pending")
            .baseUnit("seconds")
            .description(
                "How long the oldest alert still spooled for the sink has waited (0 when none"
                    + " waits); kept across restarts.")
            .register(registry);
  }

  void refresh(long nowMillis) {
    Map<String, SpooledAlertSink.Stats> sinks = current();
    List<MultiGauge.Row<?>> pendingRows = new ArrayList<>();
    List<MultiGauge.Row<?>> oldestRows = new ArrayList<>();
    for (SpooledAlertSink.Stats sink : sinks.values()) {
      Tags tags = Tags.of("sink", sink.name());
      pendingRows.add(MultiGauge.Row.of(tags, sink.pending()));
      long waited = sink.pending() > 0 ? Math.max(0, nowMillis - sink.oldestPendingSince()) : 0;
      oldestRows.add(MultiGauge.Row.of(tags, waited / 1000.0));
      if (counted.add(sink.name())) {
        counter(
            "leakwatch.sink.delivered",
            "Alerts the sink's receiver took, since start.",
            sink.name(),
            SpooledAlertSink.Stats::delivered);
        counter(
            "leakwatch.sink.dead.lettered",
            "Alerts the sink's receiver refused for good, written to the dead-letters.jsonl of its"
                + " spool, since start.",
            sink.name(),
            SpooledAlertSink.Stats::deadLettered);
      }
    }
    pending.register(pendingRows, true);
    oldest.register(oldestRows, true);
  }

  private void counter(
      String name, String help, String sink, ToLongFunction<SpooledAlertSink.Stats> read) {
    FunctionCounter.builder(
            name,
            this,
            m -> {
              SpooledAlertSink.Stats now = m.current().get(sink);
              return now == null ? 0 : read.applyAsLong(now);
            })
        .description(help)
        .tags("sink", sink)
        .register(registry);
  }

  /** Each spooled sink of the orgs running here, once by name. */
  private Map<String, SpooledAlertSink.Stats> current() {
    Map<String, SpooledAlertSink.Stats> sinks = new LinkedHashMap<>();
    for (MonitoredOrg org : orgs.get()) {
      for (SpooledAlertSink.Stats sink : org.spooledSinks()) {
        sinks.putIfAbsent(sink.name(), sink);
      }
    }
    return sinks;
  }
}
