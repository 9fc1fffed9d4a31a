package io.leakwatch.cli;

import io.leakwatch.alert.AlertSink;
import io.leakwatch.auth.AccessGrant;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.decision.Alert;
import io.leakwatch.engine.DeadLetters;
import io.leakwatch.engine.EngineSettings;
import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.engine.PipelineStats;
import io.leakwatch.profile.OrgProfile;
import io.leakwatch.pubsub.PubSubEndpoint;
import io.leakwatch.pubsub.ReplayStart;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SpooledDay;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bench --transport grpc}: the simulated org's events retained in the simulator's Pub/Sub
 * server, and a whole engine ({@link LeakwatchEngine}: TLS channel, one flow-controlled
 * subscription per topic with at most {@value io.leakwatch.pubsub.PubSubSubscriber#MAX_OUTSTANDING}
 * events outstanding, as Salesforce allows, the event-time merge across topics, the detection and
 * alert verticles) replaying them from the earliest retained event over loopback TLS: how fast an
 * engine catches up after an outage. Both ends share this process and its two cores.
 */
final class WireBench {
  private static final String TOKEN = "bench-access-token";

  /** Hands the events to publish over, a slice at a time, in event-time order. */
  interface Events {
    void forEach(SliceSink sink) throws Exception;
  }

  interface SliceSink {
    void accept(List<SpooledDay.Event> slice) throws Exception;
  }

  /**
   * One catch-up.
   *
   * @param seconds from the first event processed to the last
   * @param secondsFromStart from the engine's start (pack loaded, streams opened) to the last event
   * @param mergeHolds looks of the event-time merge that left events waiting, by reason
   * @param mergeWaitSeconds how long the detection worker was free while the merge held events
   *     back, by reason
   * @param outOfOrder events the merge released behind a later event of another topic
   */
  record Run(
      long events,
      long deadLettered,
      double seconds,
      double secondsFromStart,
      long alerts,
      Map<String, Long> alertsByRule,
      Map<String, Long> mergeHolds,
      Map<String, Double> mergeWaitSeconds,
      long outOfOrder) {
    double rate() {
      return events / seconds;
    }
  }

  private WireBench() {}

  private static Map<String, Double> seconds(Map<String, Long> nanos) {
    Map<String, Double> out = new TreeMap<>();
    nanos.forEach((reason, n) -> out.put(reason, Math.round(n / 1e7) / 100.0));
    return out;
  }

  static Run measure(
      RulePack pack,
      OrgProfile profile,
      String orgId,
      EventSchemas schemas,
      Events events,
      Path workDir,
      Duration timeout)
      throws Exception {
    PubSubServer.Settings settings =
        PubSubServer.Settings.defaults(orgId, workDir.resolve("tls")).withTokens(TOKEN::equals);
    try (PubSubServer server = PubSubServer.start(settings, schemas.byTopic(), 18_098_167L)) {
      server.registerSchema(schemas.apiV67()); // ApiEvent's schema from noon
      long[] published = {0};
      events.forEach(
          slice -> {
            for (SpooledDay.Event e : slice) {
              server.publishRaw(e.topic(), e.eventIdentifier(), e.schemaId(), e.payload());
              published[0]++;
            }
          });
      AtomicLong alerts = new AtomicLong();
      AlertSink counter = (Alert alert) -> alerts.incrementAndGet();
      EngineSettings engineSettings =
          EngineSettings.builder()
              .endpoint(new PubSubEndpoint("localhost", server.port(), server.certificate()))
              .tokens(TokenSource.fixed(new AccessGrant(TOKEN, "https://localhost", orgId)))
              .topics(EventSchemas.TOPICS)
              .start(ReplayStart.earliest())
              .profile(profile)
              .pack(pack)
              .sinks(List.of(counter))
              .deadLetters(DeadLetters.toFile(workDir.resolve("dead-letters.jsonl")))
              .build();
      long start = System.nanoTime();
      try (LeakwatchEngine engine = LeakwatchEngine.start(engineSettings)) {
        long deadline = start + timeout.toNanos();
        long first = 0;
        long firstCount = 0;
        while (engine.processed() < published[0]) {
          if (first == 0 && engine.processed() > 0) {
            first = System.nanoTime();
            firstCount = engine.processed();
          }
          if (System.nanoTime() > deadline) {
            throw new IOException(
                "the engine processed "
                    + engine.processed()
                    + " of "
                    + published[0]
                    + " events over gRPC within "
                    + timeout);
          }
          Thread.sleep(5);
        }
        long end = System.nanoTime();
        engine.drainAlerts();
        PipelineStats stats = engine.stats();
        if (first == 0) { // all of it between two polls
          first = start;
          firstCount = 0;
        }
        return new Run(
            published[0] - firstCount,
            stats.totalDeadLettered(),
            (end - first) / 1e9,
            (end - start) / 1e9,
            alerts.get(),
            new TreeMap<>(stats.alertsByRule()),
            stats.mergeHoldsByReason(),
            seconds(stats.mergeWaitNanosByReason()),
            stats.outOfOrderByTopic().values().stream().mapToLong(Long::longValue).sum());
      }
    }
  }
}
