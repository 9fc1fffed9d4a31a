package io.leakwatch.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.engine.SubscriptionVerticle;
import io.leakwatch.pubsub.PubSubEndpoint;
import io.leakwatch.sim.Playback;
import io.leakwatch.sim.SimulatedDay;
import io.leakwatch.sim.scenario.ScenarioOutcome;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine against a server that stalls (connections open, nothing moves: SIGSTOP) or goes away
 * for a minute (connections reset, new ones refused), behind a real TCP proxy, in the middle of a
 * played day. Every stream must be retried on a bounded schedule, each attempt counted, and be back
 * within the backoff ceiling plus 5 s of the server; nothing lost, nothing delivered twice.
 */
@Tag("faults")
class StreamFaultsTest {
  private static final long STALE_AFTER_MILLIS = 1_000;
  private static final long RECONNECT_CEILING_MILLIS = 5_000;
  private static final long RESUME_BOUND_MILLIS = RECONNECT_CEILING_MILLIS + 5_000;

  @TempDir Path dir;
  private SimulatedDay day;
  private FaultProxy proxy;

  @BeforeEach
  void start() throws Exception {
    day = SimulatedDay.serve(dir, Duration.ofMillis(300));
    proxy = new FaultProxy(day.server().port());
  }

  @AfterEach
  void stop() throws Exception {
    proxy.close();
    day.close();
  }

  @Test
  void aStalledServerIsRetriedOnScheduleAndEveryStreamResumesPromptly() throws Exception {
    run("stall", proxy::stall, Duration.ofSeconds(6));
  }

  @Test
  void aServerGoneForAMinuteIsRetriedOnScheduleAndEveryStreamResumesPromptly() throws Exception {
    run("unreachable", proxy::cutOff, Duration.ofSeconds(60));
  }

  private void run(String fault, Runnable inject, Duration outage) throws Exception {
    List<SimEvent> events = day.events();
    Playback playback = new Playback(day.server(), events, 12_000);
    try (LeakwatchEngine engine =
        day.engine(
            new PubSubEndpoint("localhost", proxy.port(), day.server().certificate()),
            day.tokens(),
            day.durability(STALE_AFTER_MILLIS, RECONNECT_CEILING_MILLIS),
            1_000)) {
      Thread player = new Thread(playback, "playback");
      player.start();
      Await.until(() -> engine.processed() >= events.size() / 5, "a fifth of the day");
      inject.run();
      Map<String, Long> before = reconnects(engine);
      Thread.sleep(outage.toMillis()); // the fault's own wall-clock length is what is under test
      Map<String, Long> during = reconnects(engine);
      during.replaceAll((topic, n) -> n - before.get(topic));
      proxy.restore();
      long back = System.nanoTime();
      long publishedBeforeBack = playback.published();
      Await.until(
          () -> engine.subscriptions().stream().allMatch(s -> heardSince(s, back)),
          "every stream to deliver again",
          Duration.ofMillis(RESUME_BOUND_MILLIS + 60_000));
      long resumeMillis = (System.nanoTime() - back) / 1_000_000;
      Await.until(
          () -> engine.processed() >= publishedBeforeBack,
          "every event published while the server was away");
      long caughtUpMillis = (System.nanoTime() - back) / 1_000_000;
      player.join();
      Await.until(() -> engine.processed() >= events.size(), "the whole day");
      day.finish(engine);

      long duplicated = day.duplicated();
      long lost = day.lost();
      ScenarioOutcome outcome = day.outcome();
      System.out.printf(
          "fault %s: server away %d s, %d reconnect attempts during it (%s), every stream"
              + " delivering again %d ms after the server was back (bound %d ms), caught up after"
              + " %d ms; %d events, %d lost, %d alerts, %d duplicated,"
              + " scenarios detected %s, %d unexplained alerts %s%n",
          fault,
          outage.toSeconds(),
          during.values().stream().mapToLong(Long::longValue).sum(),
          during,
          resumeMillis,
          RESUME_BOUND_MILLIS,
          caughtUpMillis,
          events.size(),
          lost,
          day.alerts().size(),
          duplicated,
          outcome.allDetected(),
          outcome.unexplained().size(),
          outcome.unexplained().stream().map(a -> a.ruleId() + " " + a.title()).toList());
      for (Map.Entry<String, Long> topic : during.entrySet()) {
        assertTrue(
            topic.getValue() >= 2,
            topic.getKey() + " was not retried on schedule while the server was away: " + during);
      }
      assertTrue(
          resumeMillis <= RESUME_BOUND_MILLIS,
          "resumed " + resumeMillis + " ms after the server was back");
      assertEquals(0, lost, "events never processed");
      assertEquals(0, duplicated, "alerts delivered twice");
      assertTrue(outcome.allDetected(), day.whyMissed());
      assertEquals(List.of(), outcome.unexplained(), "alerts no scenario explains");
    }
  }

  /** Whether the subscription's stream delivered events or a keepalive after {@code nanos}. */
  static boolean heardSince(SubscriptionVerticle subscription, long nanos) {
    long heard = subscription.lastHeardNanos();
    return heard != 0 && heard - nanos > 0;
  }

  private static Map<String, Long> reconnects(LeakwatchEngine engine) {
    Map<String, Long> counts = new TreeMap<>();
    engine.subscriptions().forEach(s -> counts.put(s.topic(), s.reconnects()));
    return counts;
  }
}
