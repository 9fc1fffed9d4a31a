package io.leakwatch.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.leakwatch.alert.AlertSink;
import io.leakwatch.auth.AccessGrant;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.checkpoint.CheckpointStore;
import io.leakwatch.checkpoint.MonitoringGap;
import io.leakwatch.decision.Alert;
import io.leakwatch.engine.DeadLetters;
import io.leakwatch.engine.Durability;
import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.pubsub.ReplayStart;
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
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine against a simulator that drops, stalls, expires and feeds garbage, in process. */
class FaultToleranceTest {
  @TempDir Path dir;
  private SimulatedOrg org;
  private Scenarios.Timeline timeline;
  private PubSubServer server;
  private final List<Alert> alerts = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    org = SimulatedOrg.generate(5, 200);
    timeline = Scenarios.day(org, LocalDate.of(2026, 3, 10), Scenarios.all());
    server =
        PubSubServer.start(
            PubSubServer.Settings.defaults(org.orgId(), dir.resolve("tls"))
                .withTimers(Duration.ofMillis(200), Duration.ofSeconds(60)),
            EventSchemas.standard().byTopic(),
            1_000);
    Files.writeString(dir.resolve("profile.yaml"), org.profileYaml());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private LeakwatchEngine engine(long staleAfterMillis) throws Exception {
    return engine(
        staleAfterMillis,
        1_000,
        alert -> {
          synchronized (alerts) {
            alerts.add(alert);
          }
        });
  }

  private LeakwatchEngine engine(long staleAfterMillis, int maxBacklog, AlertSink collect)
      throws Exception {
    return engine(staleAfterMillis, maxBacklog, collect, ReplayStart.earliest());
  }

  private LeakwatchEngine engine(ReplayStart start) throws Exception {
    return engine(
        Durability.DEFAULT_STALE_MILLIS,
        1_000,
        alert -> {
          synchronized (alerts) {
            alerts.add(alert);
          }
        },
        start);
  }

  private LeakwatchEngine engine(
      long staleAfterMillis, int maxBacklog, AlertSink collect, ReplayStart start)
      throws Exception {
    return LeakwatchEngine.start(
        TestSupport.engineOn(server, org, dir)
            .start(start)
            .sinks(List.of(collect))
            .deadLetters(DeadLetters.toFile(dir.resolve("dead-letters.jsonl")))
            .maxBacklog(maxBacklog)
            .durability(
                new Durability(
                    dir.resolve("state"),
                    ReplayStart.earliest(),
                    Durability.DEFAULT_HORIZON_MILLIS,
                    staleAfterMillis,
                    true))
            .build());
  }

  /**
   * Publishes in event-time order at a steady pace, as Salesforce does: all topics move forward
   * together. (A whole day dumped at once into one topic after another is not something a bus
   * does.)
   */
  private void publish(List<SimEvent> events) {
    new Playback(server, events, events.size() / 4).run();
  }

  private static List<String> summary(List<Alert> alerts) {
    return alerts.stream()
        .map(a -> a.ruleId() + " " + a.principal() + " at " + a.detectedAt())
        .toList();
  }

  private Set<String> journaled() throws Exception {
    Set<String> ids = new HashSet<>();
    for (String line : Files.readAllLines(dir.resolve("state/processed-events.log"))) {
      ids.add(line.split(" ")[2]);
    }
    return ids;
  }

  private void finish(LeakwatchEngine engine) throws Exception {
    engine.advanceClock(
        timeline.events().get(timeline.events().size() - 1).eventDate()
            + Duration.ofHours(2).toMillis());
    engine.drainAlerts();
  }

  @Test
  void droppedStreamsAreReopenedFromTheLastProcessedEventAndNothingIsLost() throws Exception {
    List<SimEvent> events = timeline.events();
    int half = events.size() / 2;
    try (LeakwatchEngine engine = engine(Durability.DEFAULT_STALE_MILLIS)) {
      publish(events.subList(0, half));
      TestSupport.await(() -> engine.processed() >= half, "first half");
      server.dropStreams(Status.UNAVAILABLE.withDescription("RST_STREAM closed stream"));
      publish(events.subList(half, events.size()));
      TestSupport.await(() -> engine.processed() >= events.size(), "second half after reconnect");
      finish(engine);
      assertTrue(
          engine.subscriptions().stream().mapToLong(s -> s.reconnects()).sum() >= 4,
          "every topic reconnected");
    }
    Set<String> seen = journaled();
    events.forEach(
        e ->
            assertTrue(
                seen.contains(e.eventIdentifier()), "never processed: " + e.eventIdentifier()));
    ScenarioOutcome outcome = ScenarioOutcome.match(timeline.injected(), alerts);
    assertTrue(outcome.allDetected(), summary(alerts).toString());
    assertEquals(List.of(), outcome.unexplained());
  }

  @Test
  void aStalledStreamIsDetectedByTheWatchdogAndReopened() throws Exception {
    List<SimEvent> events = timeline.events();
    try (LeakwatchEngine engine = engine(800)) {
      server.stall(true);
      publish(events);
      Thread.sleep(1_500); // the watchdog's own wall-clock timeout is what is under test
      // Reopened after silence, a stream is not presumed live: the server has not answered it.
      long reopened = engine.subscriptions().stream().mapToLong(s -> s.reconnects()).sum();
      assertTrue(reopened >= 1, "the watchdog reopened stale streams");
      for (int i = 0; i < 10; i++) {
        assertTrue(
            engine.subscriptions().stream().noneMatch(s -> s.live()),
            "no topic reads as live while the server answers nothing");
        Thread.sleep(50);
      }
      server.stall(false);
      TestSupport.await(() -> engine.processed() >= events.size(), "events after the stall");
      assertTrue(
          engine.subscriptions().stream().mapToLong(s -> s.reconnects()).sum() >= 1,
          "watchdog reopened a stale stream");
    }
  }

  @Test
  void aRejectedCheckpointFallsBackAndRecordsTheGapAsAnAlert() throws Exception {
    List<SimEvent> events = timeline.events();
    int half = events.size() / 2;
    try (LeakwatchEngine engine = engine(Durability.DEFAULT_STALE_MILLIS)) {
      publish(events.subList(0, half));
      TestSupport.await(() -> engine.processed() >= half, "first half");
      engine.drainAlerts();
    }
    // Every topic has a stored position to be rejected: those that carried events, and the quiet
    // ones from their keepalives.
    long checkpointed = positioned().size();
    assertTrue(
        checkpointed > events.subList(0, half).stream().map(SimEvent::topic).distinct().count(),
        "quiet topics have positions too");
    // The engine was down past the retention window: everything it knew is gone from the bus.
    server.expireRetained();
    publish(events.subList(half, events.size()));
    alerts.clear();
    try (LeakwatchEngine engine = engine(Durability.DEFAULT_STALE_MILLIS)) {
      TestSupport.await(
          () -> engine.processed() >= events.size() - half, "retained events after fallback");
      engine.drainAlerts();
      assertEquals(checkpointed, engine.subscriptions().stream().mapToLong(s -> s.gaps()).sum());
    }
    List<Alert> gaps =
        alerts.stream().filter(a -> a.ruleId().equals(MonitoringGap.RULE_ID)).toList();
    assertEquals(checkpointed, gaps.size(), "one gap alert per topic that had a stored position");
    assertTrue(gaps.get(0).reasons().get(0).contains("rejected stored replay id"));
  }

  /** Topics whose saved position is a replay id (events' or keepalives'). */
  private Set<String> positioned() throws Exception {
    Path file = dir.resolve("state/checkpoint.json");
    if (!Files.exists(file)) {
      return Set.of();
    }
    Set<String> topics = new HashSet<>();
    new CheckpointStore(file)
        .load()
        .forEach(
            (topic, c) -> {
              if (c.resumeAfter() != null) {
                topics.add(topic);
              }
            });
    return topics;
  }

  @Test
  void aTopicWithNoEventsYetResumesAfterItsKeepaliveNotAtLatest() throws Exception {
    // Configured to start at LATEST, as a new deployment is: nothing has been published yet.
    try (LeakwatchEngine engine = engine(ReplayStart.latest())) {
      TestSupport.await(
          () -> uncheckedPositioned().containsAll(EventSchemas.TOPICS),
          "a position for every topic, from its keepalives");
    }
    // Published while the engine is down (a deploy, a crash): LATEST would skip all of it.
    List<SimEvent> events = timeline.events().subList(0, 400);
    publish(events);
    try (LeakwatchEngine engine = engine(ReplayStart.latest())) {
      TestSupport.await(
          () -> engine.processed() >= events.size(), "the events published while it was down");
      engine.drainAlerts();
      assertEquals(events.size(), engine.processed());
      assertEquals(0, engine.subscriptions().stream().mapToLong(s -> s.gaps()).sum());
    }
    assertEquals(List.of(), gapAlerts());
  }

  @Test
  void aQuietTopicWhoseEventsLeftTheRetentionWindowIsNoGapAfterARestart() throws Exception {
    List<SimEvent> events = timeline.events();
    int half = events.size() / 2;
    try (LeakwatchEngine engine = engine(Durability.DEFAULT_STALE_MILLIS)) {
      publish(events.subList(0, half));
      TestSupport.await(() -> engine.processed() >= half, "first half");
      // Quiet for 72 hours while the engine watches: every replay id given out so far expires.
      server.expireRetained();
      awaitKeepaliveOnEveryTopic(engine, "after the expiry");
      // Those 72 hours in event time: the learned-state snapshots taken meanwhile hold the
      // keepalives' positions, and the checkpoints follow the keepalives once the org's event time
      // is a horizon past each topic's last event.
      long last = events.get(half - 1).eventDate();
      engine.advanceClock(last + Duration.ofHours(3).toMillis());
      engine.advanceClock(last + Duration.ofHours(6).toMillis());
      awaitKeepaliveOnEveryTopic(engine, "after the clock moved");
      awaitKeepaliveOnEveryTopic(engine, "a second time, its checkpoint committed");
      engine.drainAlerts();
    }
    // The checkpoints alone (a pack without learned state resumes from them) hold no expired id.
    new CheckpointStore(dir.resolve("state/checkpoint.json"))
        .load()
        .forEach(
            (topic, c) ->
                assertTrue(
                    server.topic(topic).indexAfter(c.resumeAfter().toByteString()) >= 0,
                    topic + " resumes after an id the server still keeps"));
    publish(events.subList(half, events.size()));
    alerts.clear();
    try (LeakwatchEngine engine = engine(Durability.DEFAULT_STALE_MILLIS)) {
      TestSupport.await(
          () -> engine.processed() >= events.size() - half, "the events after the restart");
      engine.drainAlerts();
      assertEquals(0, engine.subscriptions().stream().mapToLong(s -> s.gaps()).sum());
    }
    assertEquals(List.of(), gapAlerts(), "nothing was missed: no monitoring gap");
  }

  @Test
  void aRefusedPositionIsReportedOnceNotAtEveryReconnect() throws Exception {
    List<SimEvent> events = timeline.events();
    int half = events.size() / 2;
    try (LeakwatchEngine engine = engine(Durability.DEFAULT_STALE_MILLIS)) {
      publish(events.subList(0, half));
      TestSupport.await(() -> engine.processed() >= half, "first half");
    }
    server.expireRetained();
    Set<String> refused = positioned();
    long opened = server.stats().streamsOpened();
    try (LeakwatchEngine engine = engine(Durability.DEFAULT_STALE_MILLIS)) {
      TestSupport.await(
          () -> engine.subscriptions().stream().mapToLong(s -> s.gaps()).sum() >= refused.size(),
          "the refused positions reported");
      // Only once every topic's stream is open again from the fallback, or a drop misses one.
      TestSupport.await(
          () -> server.stats().streamsOpened() >= opened + EventSchemas.TOPICS.size(),
          "every stream open from the fallback");
      // Streams drop before any topic had an event since: the refused ids are not offered again.
      server.dropStreams(Status.UNAVAILABLE.withDescription("RST_STREAM closed stream"));
      TestSupport.await(
          () -> engine.subscriptions().stream().allMatch(s -> s.reconnects() >= 2),
          "every topic reconnected");
      publish(events.subList(half, events.size()));
      TestSupport.await(
          () -> engine.processed() >= events.size() - half, "the events after the reconnect");
      engine.drainAlerts();
      assertEquals(refused.size(), engine.subscriptions().stream().mapToLong(s -> s.gaps()).sum());
    }
    assertEquals(refused.size(), gapAlerts().size(), "one gap per refused position");
    // The next start resumes from positions the server gave since, not the refused ones.
    alerts.clear();
    try (LeakwatchEngine engine = engine(Durability.DEFAULT_STALE_MILLIS)) {
      TestSupport.await(
          () -> engine.subscriptions().stream().allMatch(s -> s.lastHeardNanos() > 0),
          "every stream heard from");
      assertEquals(0, engine.subscriptions().stream().mapToLong(s -> s.gaps()).sum());
    }
  }

  @Test
  void anUnauthenticatedStreamWithoutSalesforcesCodeGetsANewToken() throws Exception {
    AtomicInteger refreshes = new AtomicInteger();
    AccessGrant grant = new AccessGrant("token", org.instanceUrl(), org.orgId());
    TokenSource tokens =
        new TokenSource() {
          @Override
          public AccessGrant current() {
            return grant;
          }

          @Override
          public AccessGrant refresh() {
            refreshes.incrementAndGet();
            return grant;
          }
        };
    try (LeakwatchEngine engine =
        LeakwatchEngine.start(TestSupport.engineOn(server, org, dir).tokens(tokens).build())) {
      TestSupport.await(
          () -> engine.subscriptions().stream().allMatch(s -> s.lastHeardNanos() > 0),
          "every stream heard from");
      server.dropStreams(Status.UNAUTHENTICATED.withDescription("Session expired or invalid"));
      TestSupport.await(() -> refreshes.get() >= 1, "the token refreshed");
      List<SimEvent> events = timeline.events().subList(0, 200);
      publish(events);
      TestSupport.await(() -> engine.processed() >= events.size(), "events on the new token");
    }
  }

  /** Waits until every topic's stream has had a keepalive (or events) from now on. */
  private static void awaitKeepaliveOnEveryTopic(LeakwatchEngine engine, String when)
      throws InterruptedException {
    long since = System.nanoTime();
    TestSupport.await(
        () -> engine.subscriptions().stream().allMatch(s -> s.lastHeardNanos() > since),
        "a keepalive on every topic " + when);
  }

  private Set<String> uncheckedPositioned() {
    try {
      return positioned();
    } catch (Exception e) {
      return Set.of(); // being replaced as it is read: the next poll reads it whole
    }
  }

  private List<Alert> gapAlerts() {
    synchronized (alerts) {
      return alerts.stream().filter(a -> a.ruleId().equals(MonitoringGap.RULE_ID)).toList();
    }
  }

  @Test
  void garbageIsDeadLetteredWithItsReasonAndTheStreamGoesOn() throws Exception {
    List<SimEvent> events = timeline.events();
    try (LeakwatchEngine engine = engine(Durability.DEFAULT_STALE_MILLIS)) {
      server.publishRaw(
          EventSchemas.API,
          "garbage-1",
          EventSchemas.standard().schemaId(EventSchemas.API),
          new byte[] {7, 7, 7});
      server.publishRaw(
          EventSchemas.API, "unknown-schema-1", "AAAAAAAAAAAAAAAAAAAAAA", new byte[] {0});
      publish(events);
      TestSupport.await(
          () -> engine.processed() >= events.size() + 2, "valid events after garbage");
      assertEquals(2, engine.stats().totalDeadLettered());
    }
    List<String> letters = Files.readAllLines(dir.resolve("dead-letters.jsonl"));
    assertEquals(2, letters.size());
    assertTrue(
        letters.get(0).contains("garbage-1") && letters.get(0).contains("does not decode"),
        letters.get(0));
    assertTrue(
        letters.get(1).contains("unknown-schema-1")
            && letters.get(1).contains("AAAAAAAAAAAAAAAAAAAAAA"),
        letters.get(1));
    assertTrue(letters.get(0).contains("\"replayId\""));
  }

  @Test
  void aStuckAlertSinkStopsConsumptionInsteadOfBuffering() throws Exception {
    CountDownLatch unblock = new CountDownLatch(1);
    AlertSink stuck =
        alert -> {
          try {
            unblock.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
    List<SimEvent> events = timeline.events();
    try (LeakwatchEngine engine = engine(Durability.DEFAULT_STALE_MILLIS, 100, stuck)) {
      Thread player = new Thread(() -> publish(events));
      player.start();
      TestSupport.await(() -> engine.stats().totalAlerts() >= 1, "the first alert");
      Thread.sleep(1_000);
      long stalled = engine.processed();
      Thread.sleep(500);
      assertEquals(stalled, engine.processed(), "consumption stopped while the sink is stuck");
      assertTrue(stalled < events.size(), "stalled at " + stalled + " of " + events.size());
      unblock.countDown();
      TestSupport.await(
          () -> engine.processed() >= events.size(), "the rest once the sink recovers");
      player.join();
    }
  }

  @Test
  void anEventWrittenWithAnEvolvedSchemaIsDecodedWithItsWriterSchema() throws Exception {
    Schema current = EventSchemas.standard().schema(EventSchemas.API);
    List<Schema.Field> fields = new ArrayList<>();
    current.getFields().forEach(f -> fields.add(new Schema.Field(f, f.schema())));
    fields.add(
        new Schema.Field(
            "NewField__c",
            Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
            null,
            JsonProperties.NULL_VALUE));
    Schema evolved =
        Schema.createRecord(current.getName(), null, current.getNamespace(), false, fields);
    String evolvedId = server.registerSchema(evolved);
    SimEvent source =
        timeline.events().stream()
            .filter(e -> e.topic().equals(EventSchemas.API))
            .findFirst()
            .orElseThrow();
    GenericData.Record record = new GenericData.Record(evolved);
    current.getFields().forEach(f -> record.put(f.name(), source.record().get(f.name())));
    record.put("NewField__c", "added later");
    try (LeakwatchEngine engine = engine(Durability.DEFAULT_STALE_MILLIS)) {
      server.publishRaw(EventSchemas.API, "evolved-1", evolvedId, EventSchemas.encode(record));
      TestSupport.await(() -> engine.processed() >= 1, "the evolved event");
      assertEquals(0, engine.stats().totalDeadLettered());
      assertEquals(1, engine.stats().totalProcessed());
    }
  }

  @Test
  void aRestartRebuildsWindowsFromTheHorizonWithoutDeliveringAnAlertTwice() throws Exception {
    List<SimEvent> events = timeline.events();
    try (LeakwatchEngine engine = engine(Durability.DEFAULT_STALE_MILLIS)) {
      publish(events);
      TestSupport.await(() -> engine.processed() >= events.size(), "all events");
      finish(engine);
    }
    List<String> first = alerts.stream().map(Alert::id).toList();
    ScenarioOutcome outcome = ScenarioOutcome.match(timeline.injected(), alerts);
    assertTrue(
        outcome.allDetected() && outcome.unexplained().isEmpty(), summary(alerts).toString());
    alerts.clear();
    try (LeakwatchEngine engine = engine(Durability.DEFAULT_STALE_MILLIS)) {
      // Resumes an hour of event time back, so some events are processed again.
      TestSupport.await(() -> engine.processed() > 0, "reprocessing from the horizon");
      finish(engine);
    }
    assertFalse(
        alerts.stream().anyMatch(a -> first.contains(a.id())),
        "an alert was delivered twice: " + summary(alerts));
  }
}
