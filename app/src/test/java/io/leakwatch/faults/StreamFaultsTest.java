package io.leakwatch.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.auth.AccessGrant;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.decision.Alert;
import io.leakwatch.engine.DeadLetters;
import io.leakwatch.engine.Durability;
import io.leakwatch.engine.EngineSettings;
import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.engine.SubscriptionVerticle;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.pubsub.PubSubEndpoint;
import io.leakwatch.pubsub.ReplayStart;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.sim.Playback;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.scenario.ScenarioOutcome;
import io.leakwatch.sim.scenario.Scenarios;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine against a server that stalls (connections open, nothing moves: SIGSTOP) or goes away
 * (connections reset, new ones refused), behind a real TCP proxy, in the middle of a played day.
 * Every stream must be retried on a bounded schedule, each attempt counted, and be back within the
 * backoff ceiling plus 5 s of the server; nothing lost, nothing delivered twice.
 */
@Tag("faults")
class StreamFaultsTest {
  private static final long STALE_AFTER_MILLIS = 1_500;
  private static final long RECONNECT_CEILING_MILLIS = 5_000;
  private static final long RESUME_BOUND_MILLIS = RECONNECT_CEILING_MILLIS + 5_000;

  @TempDir Path dir;
  private SimulatedOrg org;
  private Scenarios.Timeline timeline;
  private PubSubServer server;
  private FaultProxy proxy;
  private final List<Alert> alerts = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    org = SimulatedOrg.generate(5, 200);
    timeline = Scenarios.day(org, LocalDate.of(2026, 3, 10), Scenarios.all());
    server =
        PubSubServer.start(
            PubSubServer.Settings.defaults(org.orgId(), dir.resolve("tls"))
                .withTimers(Duration.ofMillis(300), Duration.ofSeconds(60)),
            EventSchemas.standard().byTopic(),
            1_000);
    proxy = new FaultProxy(server.port());
    Files.writeString(dir.resolve("profile.yaml"), org.profileYaml());
  }

  @AfterEach
  void stop() throws Exception {
    proxy.close();
    server.close();
  }

  @Test
  void aStalledServerIsRetriedOnScheduleAndEveryStreamResumesPromptly() throws Exception {
    run("stall", proxy::stall, Duration.ofSeconds(10));
  }

  @Test
  void aServerGoneForHalfAMinuteIsRetriedOnScheduleAndEveryStreamResumesPromptly()
      throws Exception {
    run("unreachable", proxy::cutOff, Duration.ofSeconds(30));
  }

  private void run(String fault, Runnable inject, Duration outage) throws Exception {
    List<SimEvent> events = timeline.events();
    Playback playback = new Playback(server, events, 20_000);
    try (LeakwatchEngine engine = engine()) {
      Thread player = new Thread(playback, "playback");
      player.start();
      await(() -> engine.processed() >= events.size() / 5, "a fifth of the day", 60_000);
      inject.run();
      Map<String, Long> before = reconnects(engine);
      Thread.sleep(outage.toMillis()); // the fault's own wall-clock length is what is under test
      Map<String, Long> during = reconnects(engine);
      proxy.restore();
      long back = System.nanoTime();
      long publishedBeforeBack = playback.published();
      await(
          () -> engine.processed() >= publishedBeforeBack,
          "every event published while the server was away",
          RESUME_BOUND_MILLIS + 60_000);
      long resumeMillis = (System.nanoTime() - back) / 1_000_000;
      player.join();
      await(() -> engine.processed() >= events.size(), "the whole day", 120_000);
      engine.advanceClock(
          events.get(events.size() - 1).eventDate() + Duration.ofHours(2).toMillis());
      engine.drainAlerts();

      Set<String> keys = new HashSet<>();
      long duplicated = alerts.stream().filter(a -> !keys.add(a.deliveryKey())).count();
      Set<String> journaled = journaled();
      long lost = events.stream().filter(e -> !journaled.contains(e.eventIdentifier())).count();
      ScenarioOutcome outcome = ScenarioOutcome.match(timeline.injected(), alerts);
      long attempts =
          during.entrySet().stream().mapToLong(e -> e.getValue() - before.get(e.getKey())).sum();
      System.out.printf(
          "fault %s: server away %d s, %d reconnect attempts during it (%s), resumed %d ms after"
              + " the server was back (bound %d ms), %d events, %d lost, %d alerts, %d duplicated,"
              + " scenarios detected %s, %d unexplained alerts%n",
          fault,
          outage.toSeconds(),
          attempts,
          during,
          resumeMillis,
          RESUME_BOUND_MILLIS,
          events.size(),
          lost,
          alerts.size(),
          duplicated,
          outcome.allDetected(),
          outcome.unexplained().size());
      for (Map.Entry<String, Long> topic : during.entrySet()) {
        assertTrue(
            topic.getValue() - before.get(topic.getKey()) >= 2,
            topic.getKey() + " was not retried on schedule while the server was away: " + during);
      }
      assertTrue(
          resumeMillis <= RESUME_BOUND_MILLIS,
          "resumed " + resumeMillis + " ms after the server was back");
      assertTrue(
          engine.subscriptions().stream().allMatch(SubscriptionVerticle::live), "all live again");
      assertEquals(0, lost, "events never processed");
      assertEquals(0, duplicated, "alerts delivered twice");
      assertTrue(outcome.allDetected(), outcome.toString());
    }
  }

  private LeakwatchEngine engine() throws Exception {
    return LeakwatchEngine.start(
        new EngineSettings(
            new PubSubEndpoint("localhost", proxy.port(), server.certificate()),
            TokenSource.fixed(new AccessGrant("token", org.instanceUrl(), org.orgId())),
            EventSchemas.TOPICS,
            ReplayStart.earliest(),
            OrgProfileLoader.load(dir.resolve("profile.yaml")),
            RulePackLoader.defaultPack(),
            List.of(
                alert -> {
                  synchronized (alerts) {
                    alerts.add(alert);
                  }
                }),
            DeadLetters.toFile(dir.resolve("dead-letters.jsonl")),
            false,
            0,
            1_000,
            2_000,
            new Durability(
                dir.resolve("state"),
                ReplayStart.earliest(),
                Durability.DEFAULT_HORIZON_MILLIS,
                STALE_AFTER_MILLIS,
                true,
                RECONNECT_CEILING_MILLIS)));
  }

  private static Map<String, Long> reconnects(LeakwatchEngine engine) {
    return engine.subscriptions().stream()
        .collect(Collectors.toMap(SubscriptionVerticle::topic, SubscriptionVerticle::reconnects));
  }

  private Set<String> journaled() throws Exception {
    Set<String> ids = new HashSet<>();
    for (String line : Files.readAllLines(dir.resolve("state/processed-events.log"))) {
      ids.add(line.split(" ")[2]);
    }
    return ids;
  }

  static void await(BooleanSupplier condition, String what, long millis)
      throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.sleep(20);
    }
  }
}
