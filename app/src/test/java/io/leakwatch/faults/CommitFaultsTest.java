package io.leakwatch.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leakwatch.api.AlertHistory;
import io.leakwatch.api.ApiConfig;
import io.leakwatch.api.ApiServer;
import io.leakwatch.api.EngineOrg;
import io.leakwatch.auth.AccessGrant;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.checkpoint.MonitoringGap;
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
import io.leakwatch.sim.scenario.Scenarios;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine keeps consuming only while it can commit: a state folder that turns read-only stops
 * the streams (credit withheld) and makes {@code /ready} say why, until it is writable again. A
 * quiet topic is ready from its subscription on, and one unreadable position costs only its topic.
 */
@Tag("faults")
class CommitFaultsTest {
  private static final String TOKEN = "ready-test-token-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private SimulatedOrg org;
  private Scenarios.Timeline timeline;
  private PubSubServer server;
  private final List<Alert> alerts = new ArrayList<>();
  private final Mounts mounts = new Mounts();

  @BeforeEach
  void start() throws Exception {
    org = SimulatedOrg.generate(5, 200);
    timeline = Scenarios.day(org, LocalDate.of(2026, 3, 10), Scenarios.all());
    Files.writeString(dir.resolve("profile.yaml"), org.profileYaml());
  }

  private void server(Duration keepAlive) throws Exception {
    server =
        PubSubServer.start(
            PubSubServer.Settings.defaults(org.orgId(), dir.resolve("tls"))
                .withTimers(keepAlive, Duration.ofSeconds(120)),
            EventSchemas.standard().byTopic(),
            1_000);
  }

  @AfterEach
  void stop() {
    mounts.close();
    if (server != null) {
      server.close();
    }
  }

  @Test
  void quietTopicsAreReadyFromTheirSubscriptionOnNotFromTheirFirstKeepalive() throws Exception {
    server(Duration.ofSeconds(120)); // like Salesforce: the first keepalive may take minutes
    try (LeakwatchEngine engine = engine(Durability.DEFAULT_STALE_MILLIS);
        ApiServer api = api(engine)) {
      HttpResponse<String> ready = get(api, "/ready");
      assertEquals(200, ready.statusCode(), ready.body());
      assertTrue(engine.subscriptions().stream().allMatch(SubscriptionVerticle::live));
      assertEquals(200, get(api, "/health").statusCode());
    }
  }

  @Test
  void aReadOnlyStateFolderStopsConsumptionAndReadinessUntilItIsWritableAgain() throws Exception {
    assumeTrue(Mounts.available(dir), "this machine does not let the test mount");
    server(Duration.ofMillis(300));
    Path state = Files.createDirectories(dir.resolve("state"));
    List<SimEvent> events = timeline.events();
    Playback playback = new Playback(server, events, 15_000);
    try (LeakwatchEngine engine = engine(Durability.DEFAULT_STALE_MILLIS);
        ApiServer api = api(engine)) {
      Thread player = new Thread(playback, "playback");
      player.start();
      StreamFaultsTest.await(
          () -> engine.processed() >= events.size() / 5, "a fifth of the day", 60_000);
      mounts.readOnly(state);
      long since = System.nanoTime();
      StreamFaultsTest.await(
          () -> get(api, "/ready").statusCode() == 503, "/ready to report the fault", 30_000);
      String why = get(api, "/ready").body();
      assertTrue(why.contains("checkpoint cannot be saved"), why);
      // Credit comes back only for saved positions: processing stops within one backlog.
      long stopped = awaitSteady(engine);
      long stoppedAfterMillis = (System.nanoTime() - since) / 1_000_000;
      player.join();
      assertTrue(
          stopped < events.size(),
          "consumption went on while positions could not be saved: " + stopped);
      String saved = Files.readString(state.resolve("checkpoint.json"));

      mounts.unmount(state);
      long back = System.nanoTime();
      StreamFaultsTest.await(
          () -> engine.processed() >= events.size(), "the rest of the day once writable", 120_000);
      long resumeMillis = (System.nanoTime() - back) / 1_000_000;
      StreamFaultsTest.await(
          () -> get(api, "/ready").statusCode() == 200, "/ready once writable", 30_000);
      engine.advanceClock(
          events.get(events.size() - 1).eventDate() + Duration.ofHours(2).toMillis());
      engine.drainAlerts();
      Set<String> keys = new HashSet<>();
      long duplicated = alerts.stream().filter(a -> !keys.add(a.deliveryKey())).count();
      System.out.printf(
          "fault state-read-only: consumption held at %d of %d events (steady %d ms after the"
              + " fault), resumed and finished %d ms after the folder was writable, %d alerts, %d"
              + " duplicated%n",
          stopped, events.size(), stoppedAfterMillis, resumeMillis, alerts.size(), duplicated);
      assertTrue(!saved.equals(Files.readString(state.resolve("checkpoint.json"))));
      assertEquals(0, duplicated);
    }
  }

  @Test
  void oneUnreadablePositionCostsOnlyItsOwnTopic() throws Exception {
    server(Duration.ofMillis(300));
    // A third of the day: enough for every topic to have a position.
    List<SimEvent> events = timeline.events().subList(0, timeline.events().size() / 3);
    try (LeakwatchEngine engine = engine(Durability.DEFAULT_STALE_MILLIS)) {
      new Playback(server, events, 0).run();
      StreamFaultsTest.await(() -> engine.processed() >= events.size(), "the day", 120_000);
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
    alerts.clear();

    Map<String, Long> reprocessed;
    try (LeakwatchEngine engine = engine(Durability.DEFAULT_STALE_MILLIS)) {
      StreamFaultsTest.await(
          () ->
              alerts.stream().anyMatch(a -> a.ruleId().equals(MonitoringGap.RULE_ID))
                  && engine.processed() > 0,
          "the restart",
          60_000);
      long apiEvents = events.stream().filter(e -> e.topic().equals(EventSchemas.API)).count();
      StreamFaultsTest.await(
          () -> processed(engine, EventSchemas.API) >= apiEvents,
          "the fallen-back topic re-read from the earliest retained event",
          60_000);
      engine.drainAlerts();
      reprocessed = new java.util.TreeMap<>();
      engine.subscriptions().forEach(s -> reprocessed.put(s.topic(), s.processed()));
    }
    List<Alert> gaps =
        alerts.stream().filter(a -> a.ruleId().equals(MonitoringGap.RULE_ID)).toList();
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

  private LeakwatchEngine engine(long staleAfterMillis) throws Exception {
    return LeakwatchEngine.start(
        new EngineSettings(
            new PubSubEndpoint("localhost", server.port(), server.certificate()),
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
                staleAfterMillis,
                false)));
  }

  private ApiServer api(LeakwatchEngine engine) throws Exception {
    return ApiServer.start(
        new ApiConfig("127.0.0.1", 0, List.of(TOKEN), null, null),
        List.of(new EngineOrg("default", engine, null)),
        AlertHistory.inMemory(),
        null);
  }

  private static HttpResponse<String> get(ApiServer api, String path) {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                  .header("Authorization", "Bearer " + TOKEN)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
