package io.leakwatch.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.alert.AlertJson;
import io.leakwatch.decision.Alert;
import io.leakwatch.sim.Playback;
import io.leakwatch.sim.SimulatedDay;
import io.leakwatch.sim.scenario.ScenarioOutcome;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
  private EmbeddedPostgres postgres;

  @AfterEach
  void stop() throws Exception {
    if (day != null) {
      day.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void aKilledEngineResumesOnAnotherNodeFromTheStoreWithoutRedelivering() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    try (Connection admin = postgres.getPostgresDatabase().getConnection()) {
      admin.createStatement().execute("CREATE DATABASE leakwatch");
      admin.createStatement().execute("CREATE USER lw WITH PASSWORD '" + PASSWORD + "'");
      admin.createStatement().execute("ALTER DATABASE leakwatch OWNER TO lw");
    }
    day = SimulatedDay.serve(dir, Duration.ofSeconds(1));
    Path nodeA = config("node-a");
    Path nodeB = config("node-b");
    List<SimEvent> events = day.events();
    int cut = events.size() * 6 / 10;

    Process engine = start(nodeA, "a");
    Thread player =
        new Thread(new Playback(day.server(), events.subList(0, cut), 8_000), "playback");
    player.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (journaled("node-a").size() < events.size() / 3) {
      assertTrue(engine.isAlive(), "engine died: " + log("a"));
      assertTrue(System.nanoTime() < deadline, "node A processed too little: " + log("a"));
      Thread.sleep(50);
    }
    engine.destroyForcibly(); // SIGKILL mid-stream: no shutdown hook, no final checkpoint
    assertTrue(engine.waitFor(20, TimeUnit.SECONDS));
    int processedByA = journaled("node-a").size();
    player.join();

    engine = start(nodeB, "b");
    new Playback(day.server(), events.subList(cut, events.size()), 2_000).run();
    Set<String> published = new HashSet<>();
    events.forEach(e -> published.add(e.eventIdentifier()));
    deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!everything().containsAll(published) || !outcome().allDetected()) {
      assertTrue(engine.isAlive(), "engine died: " + log("b"));
      assertTrue(System.nanoTime() < deadline, "not all processed or detected: " + log("b"));
      Thread.sleep(200);
    }
    engine.destroy(); // SIGTERM: graceful
    assertTrue(engine.waitFor(30, TimeUnit.SECONDS));

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
        store: {kind: postgres, url: 'jdbc:postgresql://localhost:%d/leakwatch', user: lw, password: '${LW_DB_PASSWORD}'}
        """
            .formatted(
                day.server().port(),
                day.server().certificate(),
                day.org().instanceUrl(),
                day.org().orgId(),
                String.join(", ", EventSchemas.TOPICS),
                node,
                postgres.getPort()));
    return config;
  }

  private Process start(Path config, String run) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder =
        new ProcessBuilder(
                java,
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                "io.leakwatch.cli.Leakwatch",
                "run",
                "--config",
                config.toString())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(new File(dir.toFile(), "engine-" + run + ".log"));
    builder.environment().put("LW_DB_PASSWORD", PASSWORD);
    return builder.start();
  }

  private String log(String run) throws IOException {
    String text = Files.readString(dir.resolve("engine-" + run + ".log"));
    return text.substring(Math.max(0, text.length() - 3000));
  }

  private Set<String> everything() throws IOException {
    Set<String> all = journaled("node-a");
    all.addAll(journaled("node-b"));
    return all;
  }

  /**
   * Ids of the events in a node's processed journal ({@code <state>/acme/processed-events.log}).
   */
  private Set<String> journaled(String node) throws IOException {
    Path journal = dir.resolve(node).resolve("acme").resolve("processed-events.log");
    Set<String> ids = new HashSet<>();
    if (Files.exists(journal)) {
      for (String line : Files.readAllLines(journal)) {
        String[] parts = line.split(" ");
        if (parts.length == 3) {
          ids.add(parts[2]);
        }
      }
    }
    return ids;
  }

  private List<Alert> alerts() throws IOException {
    Path file = dir.resolve("alerts.jsonl");
    List<Alert> alerts = new ArrayList<>();
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file)) {
        if (!line.isBlank()) {
          alerts.add(AlertJson.fromJson(line));
        }
      }
    }
    return alerts;
  }

  private ScenarioOutcome outcome() throws IOException {
    return ScenarioOutcome.match(day.timeline().injected(), alerts());
  }
}
