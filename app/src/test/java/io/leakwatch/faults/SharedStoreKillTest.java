package io.leakwatch.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.decision.Alert;
import io.leakwatch.harness.AlertsFile;
import io.leakwatch.harness.ProcessedJournalFile;
import io.leakwatch.harness.RunProcess;
import io.leakwatch.harness.StoreDatabase;
import io.leakwatch.sim.Playback;
import io.leakwatch.sim.SimulatedDay;
import io.leakwatch.sim.scenario.ScenarioOutcome;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code leakwatch run} with {@code store: postgres}, SIGKILLed mid-stream, and started again as
 * another node would be: same store, another (empty) state folder. It resumes from the positions in
 * the store, not from the configured start, processes every event, detects every scenario, and no
 * alert reaches the sink twice; its summary names the store, never the password.
 */
@Tag("faults")
class SharedStoreKillTest {
  private static final String PASSWORD = "lw-db-secret-9f3a";

  @TempDir Path dir;
  private SimulatedDay day;
  private StoreDatabase store;
  private RunProcess engine;

  @AfterEach
  void stop() throws Exception {
    if (engine != null) {
      engine.close();
    }
    if (day != null) {
      day.close();
    }
    if (store != null) {
      store.close();
    }
  }

  @Test
  void aKilledEngineResumesOnAnotherNodeFromTheStoreWithoutRedelivering() throws Exception {
    store = StoreDatabase.start(PASSWORD);
    day = SimulatedDay.serve(dir, Duration.ofSeconds(1));
    Path nodeA = config("node-a");
    Path nodeB = config("node-b");
    List<SimEvent> events = day.events();
    int cut = events.size() * 6 / 10;

    engine = start(nodeA, "a");
    Thread player =
        new Thread(new Playback(day.server(), events.subList(0, cut), 8_000), "playback");
    player.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (journaled("node-a").size() < events.size() / 3) {
      assertTrue(engine.isAlive(), "engine died: " + engine.logTail(3_000));
      assertTrue(
          System.nanoTime() < deadline, "node A processed too little: " + engine.logTail(3_000));
      Thread.sleep(50);
    }
    engine.kill(); // SIGKILL mid-stream: no shutdown hook, no final checkpoint
    int processedByA = journaled("node-a").size();
    player.join();

    engine = start(nodeB, "b");
    new Playback(day.server(), events.subList(cut, events.size()), 2_000).run();
    Set<String> published = new HashSet<>();
    events.forEach(e -> published.add(e.eventIdentifier()));
    deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!everything().containsAll(published) || !outcome().allDetected()) {
      assertTrue(engine.isAlive(), "engine died: " + engine.logTail(3_000));
      assertTrue(
          System.nanoTime() < deadline, "not all processed or detected: " + engine.logTail(3_000));
      Thread.sleep(200);
    }
    engine.stop(30); // SIGTERM: graceful

    List<Alert> alerts = alerts();
    Set<String> keys = new HashSet<>();
    List<String> duplicated = new ArrayList<>();
    alerts.forEach(
        a -> {
          if (!keys.add(a.deliveryKey())) {
            duplicated.add(a.deliveryKey());
          }
        });
    Set<String> reprocessed = journaled("node-b");
    reprocessed.retainAll(journaled("node-a"));
    String logB = Files.readString(dir.resolve("engine-b.log"));
    System.out.printf(
        "shared store, SIGKILL and resume on another node: %d events, node A processed %d before"
            + " the kill, node B %d (%d of them again), %d alerts, %d duplicated%n",
        published.size(),
        processedByA,
        journaled("node-b").size(),
        reprocessed.size(),
        alerts.size(),
        duplicated.size());
    assertEquals(List.of(), duplicated, "alerts delivered twice");
    assertFalse(
        journaled("node-b").contains(events.get(0).eventIdentifier()),
        "node B resumed from the stored positions, not from the earliest event");
    assertTrue(reprocessed.size() < processedByA, "reprocessed " + reprocessed.size());
    assertTrue(logB.contains("checkpoint, alert ledger and learned state in postgres"), logB);
    assertFalse(logB.contains(PASSWORD), "the password in the log");
    assertFalse(Files.readString(dir.resolve("engine-a.log")).contains(PASSWORD));
  }

  /** A node's configuration: the shared store, its own state folder. */
  private Path config(String node) throws IOException {
    Path config = dir.resolve(node + ".yaml");
    Files.writeString(
        config,
        """
        orgs:
          - name: acme
            endpoint: {host: localhost, port: %d, trustCertificate: %s}
            auth: {accessToken: test-token, instanceUrl: %s, tenantId: %s}
            topics: [%s]
            replay: earliest
            journalProcessed: true
            stallWaitSeconds: 30
            profile: profile.yaml
        alerts: {console: false, jsonl: alerts.jsonl}
        deadLetters: dead-letters.jsonl
        state: %s
        store: {kind: postgres, url: '%s', user: %s, password: '${LW_DB_PASSWORD}'}
        """
            .formatted(
                day.server().port(),
                day.server().certificate(),
                day.org().instanceUrl(),
                day.org().orgId(),
                String.join(", ", EventSchemas.TOPICS),
                node,
                store.url(),
                StoreDatabase.USER));
    return config;
  }

  private RunProcess start(Path config, String run) throws IOException {
    return RunProcess.start(
        dir,
        config,
        dir.resolve("engine-" + run + ".log"),
        "512m",
        Map.of("LW_DB_PASSWORD", PASSWORD));
  }

  private Set<String> everything() {
    Set<String> all = journaled("node-a");
    all.addAll(journaled("node-b"));
    return all;
  }

  /**
   * Ids of the events in a node's processed journal ({@code <state>/acme/processed-events.log}).
   */
  private Set<String> journaled(String node) {
    return ProcessedJournalFile.ids(
        dir.resolve(node).resolve("acme").resolve("processed-events.log"));
  }

  private List<Alert> alerts() {
    return AlertsFile.read(dir.resolve("alerts.jsonl"));
  }

  private ScenarioOutcome outcome() {
    return ScenarioOutcome.match(day.timeline().injected(), alerts());
  }
}
