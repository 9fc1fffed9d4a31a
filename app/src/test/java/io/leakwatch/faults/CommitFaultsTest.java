package io.leakwatch.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leakwatch.alert.AlertSink;
import io.leakwatch.checkpoint.MonitoringGap;
import io.leakwatch.decision.Alert;
import io.leakwatch.engine.Durability;
import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.engine.SubscriptionVerticle;
import io.leakwatch.sim.Playback;
import io.leakwatch.sim.SimulatedDay;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.testing.Await;
import io.leakwatch.testing.UnwritableFolder;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine keeps consuming only while it can commit: a state folder that turns read-only stops
 * the streams (credit withheld) and makes {@code /ready} say why, until it is writable again (a
 * read-only bind mount where the machine lets the test mount, else a real write failure: see {@link
 * UnwritableFolder}; chmod would not stop root). A quiet topic is ready from its subscription on,
 * and one unreadable position costs only its topic.
 */
@Tag("faults")
class CommitFaultsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private SimulatedDay day;

  @AfterEach
  void stop() {
    if (day != null) {
      day.close();
    }
  }

  private LeakwatchEngine engine() throws Exception {
    return day.engine(
        day.durability(
            Durability.DEFAULT_STALE_MILLIS, Durability.DEFAULT_RECONNECT_CEILING_MILLIS));
  }

  @Test
  void quietTopicsAreReadyFromTheirSubscriptionOnNotFromTheirFirstKeepalive() throws Exception {
    day = SimulatedDay.serve(dir, Duration.ofSeconds(120)); // like Salesforce: minutes apart
    try (LeakwatchEngine engine = engine();
        EngineApi api = EngineApi.on(engine)) {
      HttpResponse<String> ready = api.get("/ready");
      assertEquals(200, ready.statusCode(), ready.body());
      assertTrue(engine.subscriptions().stream().allMatch(SubscriptionVerticle::live));
      assertEquals(200, api.get("/health").statusCode());
    }
  }

  @Test
  void aReadOnlyStateFolderStopsConsumptionAndReadinessUntilItIsWritableAgain() throws Exception {
    day = SimulatedDay.serve(dir, Duration.ofMillis(300));
    Path state = Files.createDirectories(dir.resolve("state"));
    List<SimEvent> events = day.events();
    Playback playback = new Playback(day.server(), events, 10_000);
    try (LeakwatchEngine engine = engine();
        EngineApi api = EngineApi.on(engine)) {
      Thread player = new Thread(playback, "playback");
      player.start();
      Await.until(() -> engine.processed() >= events.size() / 5, "a fifth of the day");
      String how;
      long stopped;
      long stoppedAfterMillis;
      String saved;
      try (UnwritableFolder readOnly = UnwritableFolder.make(state, "checkpoint.json.tmp")) {
        how = readOnly.how();
        long since = System.nanoTime();
        Await.until(() -> api.get("/ready").statusCode() == 503, "/ready to report the fault");
        String why = api.get("/ready").body();
        assertTrue(why.contains("checkpoint cannot be saved"), why);
        // Credit comes back only for saved positions: processing stops within one backlog.
        stopped = awaitSteady(engine);
        stoppedAfterMillis = (System.nanoTime() - since) / 1_000_000;
        player.join();
        assertTrue(
            stopped < events.size(),
            "consumption went on while positions could not be saved: " + stopped);
        saved = Files.readString(state.resolve("checkpoint.json"));
        readOnly.clear();
      }
      long back = System.nanoTime();
      Await.until(() -> engine.processed() >= events.size(), "the rest of the day once writable");
      long resumeMillis = (System.nanoTime() - back) / 1_000_000;
      Await.until(() -> api.get("/ready").statusCode() == 200, "/ready once writable");
      day.finish(engine);
      long duplicated = day.duplicated();
      long lost = day.lost();
      System.out.printf(
          "fault state-read-only (%s): consumption held at %d of %d events (steady %d ms after"
              + " the fault), resumed and finished %d ms after the folder was writable, %d lost,"
              + " %d alerts, %d duplicated%n",
          how,
          stopped,
          events.size(),
          stoppedAfterMillis,
          resumeMillis,
          lost,
          day.alerts().size(),
          duplicated);
      assertTrue(!saved.equals(Files.readString(state.resolve("checkpoint.json"))));
      assertEquals(0, lost, "events never processed");
      assertEquals(0, duplicated);
      assertTrue(day.outcome().allDetected(), day.outcome().toString());
    }
  }

  @Test
  void aSinkStalledLongerThanAllowedMakesTheEngineNotReadyUntilItDeliversAgain() throws Exception {
    day = SimulatedDay.serve(dir, Duration.ofMillis(300));
    AtomicBoolean failing = new AtomicBoolean(true);
    AlertSink stuck =
        alert -> {
          if (failing.get()) {
            throw new IOException("the SIEM refuses (injected)");
          }
        };
    try (LeakwatchEngine engine = day.engineDeliveringTo(stuck, 1_000);
        EngineApi api = EngineApi.on(engine)) {
      new Playback(day.server(), day.events(), 0).run();
      Await.until(() -> api.get("/ready").statusCode() == 503, "/ready to report the stall");
      String why = api.get("/ready").body();
      assertTrue(why.contains("alert delivery stalled"), why);
      assertEquals(200, api.get("/health").statusCode(), "the process is alive");
      failing.set(false);
      Await.until(() -> api.get("/ready").statusCode() == 200, "/ready once the sink takes alerts");
      Await.until(() -> engine.processed() >= day.events().size(), "the whole day");
      System.out.printf("fault sink-stalled: /ready said %s%n", why);
    }
  }

  @Test
  void oneUnreadablePositionCostsOnlyItsOwnTopic() throws Exception {
    day = SimulatedDay.serve(dir, Duration.ofMillis(300));
    // A third of the day: enough for every topic to have a position.
    List<SimEvent> events = day.events().subList(0, day.events().size() / 3);
    try (LeakwatchEngine engine = engine()) {
      new Playback(day.server(), events, 0).run();
      Await.until(() -> engine.processed() >= events.size(), "the day");
      engine.drainAlerts();
    }
    Path file = dir.resolve("state/checkpoint.json");
    ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
    List<String> saved = new ArrayList<>();
    root.get("topics").fieldNames().forEachRemaining(saved::add);
    assertTrue(saved.size() > 2, "positions saved: " + saved);
    ((ObjectNode) root.get("topics").get(EventSchemas.API)).put("lastProcessed", "not hex!");
    ((ObjectNode) root.get("topics").get(EventSchemas.API)).put("resumeAfter", "zz");
    Files.writeString(file, JSON.writeValueAsString(root));
    day.clearAlerts();

    Map<String, Long> reprocessed;
    try (LeakwatchEngine engine = engine()) {
      Await.until(
          () ->
              day.alerts().stream().anyMatch(a -> a.ruleId().equals(MonitoringGap.RULE_ID))
                  && engine.processed() > 0,
          "the restart");
      long apiEvents = events.stream().filter(e -> e.topic().equals(EventSchemas.API)).count();
      Await.until(
          () -> processed(engine, EventSchemas.API) >= apiEvents,
          "the fallen-back topic re-read from the earliest retained event");
      engine.drainAlerts();
      reprocessed = new java.util.TreeMap<>();
      engine.subscriptions().forEach(s -> reprocessed.put(s.topic(), s.processed()));
    }
    List<Alert> gaps =
        day.alerts().stream().filter(a -> a.ruleId().equals(MonitoringGap.RULE_ID)).toList();
    System.out.printf(
        "fault corrupt-position: %d gap alert(s) %s; events re-read per topic %s%n",
        gaps.size(), gaps.stream().map(Alert::title).toList(), reprocessed);
    assertEquals(1, gaps.size(), "one gap alert, for the topic that lost its place");
    assertTrue(gaps.get(0).title().contains(EventSchemas.API), gaps.get(0).title());
    JsonNode kept = JSON.readTree(Files.readString(file)).get("topics");
    for (String topic : saved) {
      if (!topic.equals(EventSchemas.API)) {
        assertTrue(kept.has(topic), "kept the position of " + topic);
      }
    }
    assertTrue(
        Files.list(dir.resolve("state"))
            .anyMatch(p -> p.getFileName().toString().contains("corrupt")),
        "a copy of the damaged file is kept");
  }

  @Test
  void aGapAlertNotDeliveredBeforeTheEngineStoppedIsRaisedAgainAtTheNextStart() throws Exception {
    day = SimulatedDay.serve(dir, Duration.ofMillis(300));
    Path file = dir.resolve("state/checkpoint.json");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "{\"version\": 1, \"topics\": {"); // torn: unreadable as a whole
    AtomicInteger attempts = new AtomicInteger();
    AlertSink down =
        alert -> {
          attempts.incrementAndGet();
          throw new IOException("the SIEM is down (injected)");
        };
    try (LeakwatchEngine engine = day.engineDeliveringTo(down, 60_000)) {
      Await.until(() -> attempts.get() > 0, "the gap alert tried on the sink that is down");
    } // stopped with the alert undelivered: given up at shutdown

    try (LeakwatchEngine engine = engine()) {
      Await.until(
          () -> day.alerts().stream().anyMatch(a -> a.ruleId().equals(MonitoringGap.RULE_ID)),
          "the gap raised again by the next start");
    }
    assertTrue(
        Files.list(dir.resolve("state"))
            .anyMatch(p -> p.getFileName().toString().contains("checkpoint.json.corrupt-")),
        "a copy of the damaged file is kept");
  }

  private static long processed(LeakwatchEngine engine, String topic) {
    return engine.subscriptions().stream()
        .filter(s -> s.topic().equals(topic))
        .mapToLong(SubscriptionVerticle::processed)
        .sum();
  }

  /** Waits until processing has not moved for two seconds of steady polling; returns the count. */
  private static long awaitSteady(LeakwatchEngine engine) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    long last = -1;
    long steadySince = System.nanoTime();
    while (System.nanoTime() < deadline) {
      long now = engine.processed();
      if (now != last) {
        last = now;
        steadySince = System.nanoTime();
      } else if (System.nanoTime() - steadySince > Duration.ofSeconds(2).toNanos()) {
        return now;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("consumption never stopped: " + engine.processed());
  }
}
