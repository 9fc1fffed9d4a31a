package io.leakwatch.api;

import io.leakwatch.engine.PipelineStats;
import io.leakwatch.metrics.PrometheusText;
import io.leakwatch.rulepack.RulePack;
import java.util.List;
import java.util.Map;

/**
 * The {@code /metrics} page: every org's counters in Prometheus text format. Labels carry org
 * names, topics and rule ids only, never a value from an event.
 */
final class MetricsScrape {
  private MetricsScrape() {}

  static String write(List<MonitoredOrg> orgs, long nowMillis) {
    PrometheusText out = new PrometheusText();
    counters(
        out,
        orgs,
        "leakwatch_events_received_total",
        "Events received off the subscription, per org and topic.",
        "topic",
        PipelineStats::receivedByTopic);
    counters(
        out,
        orgs,
        "leakwatch_events_decoded_total",
        "Events whose Avro payload decoded with its writer schema.",
        "topic",
        PipelineStats::decodedByTopic);
    counters(
        out,
        orgs,
        "leakwatch_events_processed_total",
        "Events run through the rules.",
        "topic",
        PipelineStats::processedByTopic);
    counters(
        out,
        orgs,
        "leakwatch_events_dead_lettered_total",
        "Events written to the dead-letter file instead of processed.",
        "topic",
        PipelineStats::deadLetteredByTopic);
    counters(
        out,
        orgs,
        "leakwatch_detections_total",
        "Findings of the rules' EPL, before the DRL decision.",
        "rule",
        PipelineStats::detectionsByRule);
    counters(
        out,
        orgs,
        "leakwatch_alerts_total",
        "Alerts decided (including revisions and suppressed ones).",
        "rule",
        PipelineStats::alertsByRule);

    out.family(
        "leakwatch_event_processing_seconds",
        "histogram",
        "From an event's arrival off the stream to the end of its detection and decision (includes the event-time merge wait).");
    for (MonitoredOrg org : orgs) {
      out.histogram("leakwatch_event_processing_seconds", org.stats().latency(), "org", org.name());
    }

    // A family's samples must come together, right after its TYPE line: one pass per family.
    out.family(
        "leakwatch_subscription_live",
        "gauge",
        "1 while the topic's stream is open and answering, else 0.");
    forEachTopic(
        orgs,
        (org, topic) ->
            out.sample(
                "leakwatch_subscription_live",
                topic.live() ? 1 : 0,
                "org",
                org.name(),
                "topic",
                topic.topic()));
    out.family(
        "leakwatch_subscription_reconnects_total",
        "counter",
        "Times the topic's stream was reopened.");
    forEachTopic(
        orgs,
        (org, topic) ->
            out.sample(
                "leakwatch_subscription_reconnects_total",
                topic.reconnects(),
                "org",
                org.name(),
                "topic",
                topic.topic()));
    out.family(
        "leakwatch_subscription_lag_seconds",
        "gauge",
        "Wall time now minus the event time of the newest processed event (absent before the first event).");
    forEachTopic(
        orgs,
        (org, topic) -> {
          if (topic.lastEventTime() > 0) {
            out.sample(
                "leakwatch_subscription_lag_seconds",
                Math.max(0, nowMillis - topic.lastEventTime()) / 1000.0,
                "org",
                org.name(),
                "topic",
                topic.topic());
          }
        });

    out.family(
        "leakwatch_checkpoint_age_seconds",
        "gauge",
        "Seconds since the org's positions were last saved to its checkpoint file (absent before the first save).");
    for (MonitoredOrg org : orgs) {
      long saved = org.lastCheckpointSave();
      if (saved > 0) {
        out.sample(
            "leakwatch_checkpoint_age_seconds",
            Math.max(0, nowMillis - saved) / 1000.0,
            "org",
            org.name());
      }
    }

    out.family(
        "leakwatch_rule_pack_info",
        "gauge",
        "The rule pack each org runs: always 1, the labels say which.");
    for (MonitoredOrg org : orgs) {
      RulePack pack = org.activePack();
      out.sample(
          "leakwatch_rule_pack_info",
          1,
          "org",
          org.name(),
          "pack",
          pack.name(),
          "version",
          pack.version(),
          "sha256",
          pack.sha256(),
          "rules",
          Integer.toString(pack.rules().size()));
    }
    return out.toString();
  }

  private static void forEachTopic(
      List<MonitoredOrg> orgs,
      java.util.function.BiConsumer<MonitoredOrg, MonitoredOrg.TopicStatus> each) {
    for (MonitoredOrg org : orgs) {
      for (MonitoredOrg.TopicStatus topic : org.topics()) {
        each.accept(org, topic);
      }
    }
  }

  private static void counters(
      PrometheusText out,
      List<MonitoredOrg> orgs,
      String name,
      String help,
      String label,
      java.util.function.Function<PipelineStats, Map<String, Long>> read) {
    out.family(name, "counter", help);
    for (MonitoredOrg org : orgs) {
      read.apply(org.stats())
          .forEach((key, value) -> out.sample(name, value, "org", org.name(), label, key));
    }
  }
}
