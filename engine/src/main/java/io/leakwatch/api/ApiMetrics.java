package io.leakwatch.api;

import io.leakwatch.cluster.ClusterStatus;
import io.leakwatch.engine.PipelineStats;
import io.leakwatch.metrics.LatencyHistogram;
import io.leakwatch.rulepack.RulePack;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The {@code /metrics} page: Micrometer's Prometheus registry with the JVM's and the process's
 * meters, and every org's pipeline counters, read live from the org at scrape time (so nothing
 * counted before the API started is missing). Labels carry org names, topics and rule ids only,
 * never a value from an event.
 */
final class ApiMetrics implements AutoCloseable {
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Supplier<List<MonitoredOrg>> orgs;
  private final Supplier<ClusterStatus> cluster;
  private final LongSupplier clock;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final MultiGauge live;
  private final MultiGauge lag;
  private final MultiGauge checkpointAge;
  private final MultiGauge rulePack;
  private final MultiGauge owned;
  private final SinkMetrics sinks;
  // Registered once each: Micrometer warns when a function counter is registered again.
  private final java.util.Set<String> counted = new java.util.HashSet<>();

  ApiMetrics(List<MonitoredOrg> orgs, LongSupplier clock) {
    this(fixed(orgs), null, clock);
  }

  private static Supplier<List<MonitoredOrg>> fixed(List<MonitoredOrg> orgs) {
    List<MonitoredOrg> copy = List.copyOf(orgs);
    return () -> copy;
  }

  /**
   * @param orgs the orgs running here at each scrape (on a cluster node they come and go)
   * @param cluster what this node sees of its cluster, or null on a single node
   */
  ApiMetrics(
      Supplier<List<MonitoredOrg>> orgs, Supplier<ClusterStatus> cluster, LongSupplier clock) {
    this.orgs = orgs;
    this.cluster = cluster;
    this.clock = clock;
    bindJvmAndProcess(registry);
    live =
        MultiGauge.builder("leakwatch.subscription.live")
            .description("1 while the topic's stream is open and answering, else 0.")
            .register(registry);
    lag =
        MultiGauge.builder("leakwatch.subscription.lag")
            .baseUnit("seconds")
            .description(
                "Wall time now minus the event time of the newest processed event (absent before the first event).")
            .register(registry);
    checkpointAge =
        MultiGauge.builder("leakwatch.checkpoint.age")
            .baseUnit("seconds")
            .description(
                "Seconds since the org's positions were last saved to its checkpoint file (absent before the first save).")
            .register(registry);
    rulePack =
        MultiGauge.builder("leakwatch.rule.pack.info")
            .description("The rule pack each org runs: always 1, the labels say which.")
            .register(registry);
    owned =
        MultiGauge.builder("leakwatch.org.owned")
            .description(
                "On a cluster node: 1 for each org this node holds the lease of and processes, 0 for the configured orgs it does not.")
            .register(registry);
    if (cluster != null) {
      Gauge.builder("leakwatch.cluster.members", cluster, c -> c.get().members().size())
          .description("Cluster nodes this node sees, itself included.")
          .register(registry);
      Gauge.builder("leakwatch.cluster.expected.nodes", cluster, c -> c.get().expectedNodes())
          .description("The cluster's configured size; a majority of it is the quorum.")
          .register(registry);
      FunctionCounter.builder(
              "leakwatch.cluster.spooled.taken.over", cluster, c -> c.get().spooledTakenOverTotal())
          .description(
              "Alerts this node took over and spooled: a node lost before sending them had spooled"
                  + " them.")
          .register(registry);
      Gauge.builder("leakwatch.cluster.quorum", cluster, c -> c.get().quorum() ? 1 : 0)
          .description(
              "1 while this node sees a majority of the configured nodes; 0: it processes nothing.")
          .register(registry);
    }
    registry.getPrometheusRegistry().register(new ProcessingHistogram());
    sinks = new SinkMetrics(registry, orgs);
  }

  private void bindJvmAndProcess(MeterRegistry meters) {
    new JvmMemoryMetrics().bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    new ClassLoaderMetrics().bindTo(meters);
    new JvmInfoMetrics().bindTo(meters);
    new JvmCompilationMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);
    new UptimeMetrics().bindTo(meters);
    new FileDescriptorMetrics().bindTo(meters);
    // These two listen to GC notifications until closed.
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(meters);
    closeables.add(gc);
    JvmHeapPressureMetrics pressure = new JvmHeapPressureMetrics();
    pressure.bindTo(meters);
    closeables.add(pressure);
  }

  /** The whole page, in the Prometheus text format (0.0.4). */
  String scrape() {
    refresh(clock.getAsLong());
    return registry.scrape();
  }

  /**
   * Topics and rules appear as events and detections arrive, so their counters are registered at
   * scrape time; a counter reads its org's live total, so none starts late.
   */
  private void refresh(long nowMillis) {
    List<MonitoredOrg> orgs = this.orgs.get();
    for (MonitoredOrg org : orgs) {
      // Every topic and rule has its series from zero, so rate() sees the first increase.
      List<String> topics = org.topics().stream().map(MonitoredOrg.TopicStatus::topic).toList();
      List<String> rules = org.activePack().rules().stream().map(r -> r.id()).toList();
      counters(
          org,
          "leakwatch.events.received",
          "Events received off the subscription, per org and topic.",
          "topic",
          topics,
          PipelineStats::receivedByTopic);
      counters(
          org,
          "leakwatch.events.decoded",
          "Events whose Avro payload decoded with its writer schema.",
          "topic",
          topics,
          PipelineStats::decodedByTopic);
      counters(
          org,
          "leakwatch.events.processed",
          "Events run through the rules.",
          "topic",
          topics,
          PipelineStats::processedByTopic);
      counters(
          org,
          "leakwatch.events.dead.lettered",
          "Events written to the dead-letter file instead of processed.",
          "topic",
          topics,
          PipelineStats::deadLetteredByTopic);
      counters(
          org,
          "leakwatch.events.out.of.order",
          "Events processed after a later event of another topic: the event-time merge had"
              + " stopped waiting for their stream (idle, silent or reconnecting too long), so"
              + " windows counted them at the later time.",
          "topic",
          topics,
          PipelineStats::outOfOrderByTopic);
      counters(
          org,
          "leakwatch.merge.holds",
          "Looks of the event-time merge that left events waiting, by what they waited for:"
              + " idle-grace (an idle topic's grace), quiet (a topic silent for less than its"
              + " wait), down (a topic reconnecting).",
          "reason",
          PipelineStats.MERGE_HOLD_REASONS,
          PipelineStats::mergeHoldsByReason);
      counters(
          org,
          "leakwatch.merge.wait",
          "Time the detection worker was free while the event-time merge held events back, by"
              + " what they waited for (see leakwatch_merge_holds_total): how much the merge wait"
              + " costs.",
          "reason",
          PipelineStats.MERGE_HOLD_REASONS,
          PipelineStats::mergeWaitNanosByReason,
          "seconds",
          1e-9);
      counters(
          org,
          "leakwatch.detections",
          "Findings of the rules' EPL, before the DRL decision.",
          "rule",
          rules,
          PipelineStats::detectionsByRule);
      counters(
          org,
          "leakwatch.alerts",
          "Alerts decided (including revisions and suppressed ones).",
          "rule",
          rules,
          PipelineStats::alertsByRule);
      counters(
          org,
          "leakwatch.alerts.refused",
          "Alerts a sink refused for good, by rule: the alert history could not hold a value of"
              + " them (logged once each, naming the alert). Not retried there; the other sinks"
              + " got them and delivery went on.",
          "rule",
          rules,
          PipelineStats::refusedAlertsByRule);
      counters(
          org,
          "leakwatch.rule.failures",
          "Times a rule threw (its EPL or its DRL) on an event or a step of event time: its"
              + " findings there are missing; the event is a dead letter naming the rule. Any"
              + " increase needs a look.",
          "rule",
          rules,
          PipelineStats::ruleFailuresByRule);
      for (MonitoredOrg.TopicStatus topic : org.topics()) {
        String name = topic.topic();
        if (!counted.add("reconnects\0" + org.name() + '\0' + name)) {
          continue;
        }
        String orgName = org.name();
        FunctionCounter.builder(
                "leakwatch.subscription.reconnects",
                this,
                m -> {
                  MonitoredOrg now = m.running(orgName);
                  return now == null ? 0 : reconnects(now, name);
                })
            .description("Times the topic's stream was reopened.")
            .tags("org", org.name(), "topic", name)
            .register(registry);
      }
    }
    List<MultiGauge.Row<?>> liveRows = new ArrayList<>();
    List<MultiGauge.Row<?>> lagRows = new ArrayList<>();
    List<MultiGauge.Row<?>> ageRows = new ArrayList<>();
    List<MultiGauge.Row<?>> packRows = new ArrayList<>();
    for (MonitoredOrg org : orgs) {
      for (MonitoredOrg.TopicStatus topic : org.topics()) {
        Tags tags = Tags.of("org", org.name(), "topic", topic.topic());
        liveRows.add(MultiGauge.Row.of(tags, topic.live() ? 1 : 0));
        if (topic.lastEventTime() > 0) {
          lagRows.add(
              MultiGauge.Row.of(tags, Math.max(0, nowMillis - topic.lastEventTime()) / 1000.0));
        }
      }
      long saved = org.lastCheckpointSave();
      if (saved > 0) {
        ageRows.add(
            MultiGauge.Row.of(Tags.of("org", org.name()), Math.max(0, nowMillis - saved) / 1000.0));
      }
      RulePack pack = org.activePack();
      packRows.add(
          MultiGauge.Row.of(
              Tags.of(
                  "org",
                  org.name(),
                  "pack",
                  pack.name(),
                  "version",
                  pack.version(),
                  "sha256",
                  pack.sha256(),
                  "rules",
                  Integer.toString(pack.rules().size())),
              1));
    }
    // overwrite: a row no longer present (a reloaded pack's old labels) leaves the page.
    live.register(liveRows, true);
    lag.register(lagRows, true);
    checkpointAge.register(ageRows, true);
    rulePack.register(packRows, true);
    sinks.refresh(nowMillis);
    if (cluster != null) {
      ClusterStatus status = cluster.get();
      List<MultiGauge.Row<?>> ownedRows = new ArrayList<>();
      for (String org : status.configured()) {
        ownedRows.add(MultiGauge.Row.of(Tags.of("org", org), status.owned().contains(org) ? 1 : 0));
      }
      owned.register(ownedRows, true);
    }
  }

  private void counters(
      MonitoredOrg org,
      String name,
      String help,
      String label,
      List<String> known,
      Function<PipelineStats, Map<String, Long>> read) {
    counters(org, name, help, label, known, read, null, 1);
  }

  /** Counters read in one unit and exposed in {@code baseUnit} ({@code scale} times the read). */
  private void counters(
      MonitoredOrg org,
      String name,
      String help,
      String label,
      List<String> known,
      Function<PipelineStats, Map<String, Long>> read,
      String baseUnit,
      double scale) {
    java.util.Set<String> keys = new java.util.TreeSet<>(known);
    keys.addAll(read.apply(org.stats()).keySet());
    for (String key : keys) {
      if (!counted.add(name + '\0' + org.name() + '\0' + key)) {
        continue;
      }
      String orgName = org.name();
      FunctionCounter.builder(
              name,
              this,
              m -> {
                MonitoredOrg now = m.running(orgName);
                return now == null ? 0 : read.apply(now.stats()).getOrDefault(key, 0L) * scale;
              })
          .description(help)
          .baseUnit(baseUnit)
          .tags("org", org.name(), label, key)
          .register(registry);
    }
  }

  /**
   * The org's engine running here now, or null (on a cluster node it may have moved: its counters
   * read 0 here until it comes back, which Prometheus takes as a counter reset).
   */
  private MonitoredOrg running(String name) {
    for (MonitoredOrg org : orgs.get()) {
      if (org.name().equals(name)) {
        return org;
      }
    }
    return null;
  }

  private static double reconnects(MonitoredOrg org, String topic) {
    for (MonitoredOrg.TopicStatus status : org.topics()) {
      if (status.topic().equals(topic)) {
        return status.reconnects();
      }
    }
    return 0;
  }

  @Override
  public void close() {
    for (AutoCloseable closeable : closeables) {
      try {
        closeable.close();
      } catch (Exception ignored) {
        // GC listeners: nothing to save
      }
    }
    registry.close();
  }

  /**
   * Each org's processing latency as a classic Prometheus histogram. The org records into its own
   * {@link LatencyHistogram} from its first event, before any API exists, so the buckets are read
   * from there rather than from a meter this registry would start empty.
   */
  private final class ProcessingHistogram implements MultiCollector {
    private static final String NAME = "leakwatch_event_processing_seconds";

    @Override
    public MetricSnapshots collect() {
      HistogramSnapshot.Builder histogram =
          HistogramSnapshot.builder()
              .name(NAME)
              .unit(Unit.SECONDS)
              .help(
                  "From an event's arrival off the stream to the end of its detection and decision (includes the event-time merge wait).");
      for (MonitoredOrg org : orgs.get()) {
        LatencyHistogram.Snapshot snapshot = org.stats().latency();
        double[] bounds = snapshot.boundsSeconds();
        double[] upper = new double[bounds.length + 1];
        long[] counts = new long[bounds.length + 1];
        long previous = 0;
        for (int i = 0; i <= bounds.length; i++) {
          upper[i] = i < bounds.length ? bounds[i] : Double.POSITIVE_INFINITY;
          counts[i] = snapshot.cumulative()[i] - previous; // the model wants per-bucket counts
          previous = snapshot.cumulative()[i];
        }
        histogram.dataPoint(
            HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(ClassicHistogramBuckets.of(upper, counts))
                .sum(snapshot.sumSeconds())
                .labels(Labels.of("org", org.name()))
                .build());
      }
      return MetricSnapshots.of(histogram.build());
    }

    @Override
    public List<String> getPrometheusNames() {
      return List.of(NAME);
    }
  }
}
