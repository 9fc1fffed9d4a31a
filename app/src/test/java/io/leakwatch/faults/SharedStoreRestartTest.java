package io.leakwatch.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.decision.Alert;
import io.leakwatch.engine.Durability;
import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.harness.ProcessedJournalFile;
import io.leakwatch.harness.StoreDatabase;
import io.leakwatch.pubsub.ReplayStart;
import io.leakwatch.sim.Playback;
import io.leakwatch.sim.SimulatedDay;
import io.leakwatch.sim.scenario.ScenarioOutcome;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.store.StoreSettings;
import io.leakwatch.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code store: postgres}, an org's checkpoint, delivered-alert ledger and learned state live
 * in PostgreSQL, not in the state folder: an engine started on another node (another, empty state
 * folder) over the same store resumes the org from the stored positions, not from the configured
 * start, and delivers none of the alerts the first one delivered, although it processes the resume
 * horizon's events again and raises them again. A real PostgreSQL server (embedded binaries) and
 * the simulated org over real gRPC/TLS.
 */
@Tag("faults")
class SharedStoreRestartTest {
  private static final String ORG = "acme";

  @TempDir Path dir;
  private SimulatedDay day;
  private StoreDatabase database;

  @AfterEach
  void stop() throws Exception {
    if (day != null) {
      day.close();
    }
    if (database != null) {
      database.close();
    }
  }

  private StoreSettings store() throws Exception {
    database = StoreDatabase.start("lw-secret");
    return database.settings();
  }

  /** A node's durability: its own state folder, the org's state in the shared store. */
  private Durability node(String name, StoreSettings store) {
    return new Durability(
            dir.resolve(name),
            ReplayStart.earliest(),
            Durability.DEFAULT_HORIZON_MILLIS,
            Durability.DEFAULT_STALE_MILLIS,
            true,
            Durability.DEFAULT_RECONNECT_CEILING_MILLIS)
        .withStore(store, ORG);
  }

  @Test
  void anotherNodeResumesTheOrgFromTheStoreAndRedeliversNothing() throws Exception {
    StoreSettings store = store();
    day = SimulatedDay.serve(dir, Duration.ofMillis(300));
    List<SimEvent> events = day.events();
    List<SimEvent> firstHalf = events.subList(0, events.size() / 2);
    List<SimEvent> secondHalf = events.subList(events.size() / 2, events.size());

    try (LeakwatchEngine nodeA = day.engine(node("node-a", store))) {
      new Playback(day.server(), firstHalf, 0).run();
      Await.until(() -> nodeA.processed() >= firstHalf.size(), "node A to process its half");
      nodeA.drainAlerts();
    }
    List<Alert> deliveredByA = day.alerts();
    day.clearAlerts();
    for (String file : List.of("checkpoint.json", "delivered-alerts.txt", "learned-state.json")) {
      assertFalse(Files.exists(dir.resolve("node-a").resolve(file)), file + " is in the store");
    }
    assertTrue(rows(store, "org_checkpoint") > 0, "positions in the store");
    assertEquals(deliveredByA.size(), rows(store, "org_delivered_alert"), "ledger in the store");
    assertEquals(1, rows(store, "org_learned_state"), "learned state in the store");

    LeakwatchEngine resumed = day.engine(node("node-b", store));
    try (LeakwatchEngine nodeB = resumed) {
      new Playback(day.server(), secondHalf, 0).run();
      Await.until(
          () -> journaled("node-b").containsAll(ids(secondHalf)), "node B to process the rest");
      day.finish(nodeB);
    }
    List<Alert> deliveredByB = day.alerts();

    Set<String> reprocessed = journaled("node-b");
    reprocessed.retainAll(ids(firstHalf));
    Set<String> keysOfA = new HashSet<>();
    deliveredByA.forEach(a -> keysOfA.add(a.deliveryKey()));
    Set<String> twice = new TreeSet<>();
    deliveredByB.stream().map(Alert::deliveryKey).filter(keysOfA::contains).forEach(twice::add);
    Set<String> all = journaled("node-a");
    all.addAll(journaled("node-b"));
    List<Alert> everything = new ArrayList<>(deliveredByA);
    everything.addAll(deliveredByB);
    System.out.printf(
        "shared store restart: node A processed %d events and delivered %d alerts; node B, with"
            + " an empty state folder, reprocessed %d of them (the resume horizon), processed the"
            + " other %d and delivered %d alerts, %d of them already delivered by A%n",
        firstHalf.size(),
        deliveredByA.size(),
        reprocessed.size(),
        secondHalf.size(),
        deliveredByB.size(),
        twice.size());
    assertFalse(deliveredByA.isEmpty(), "node A delivered alerts");
    assertFalse(
        journaled("node-b").contains(firstHalf.get(0).eventIdentifier()),
        "node B resumed from the stored positions, not from the earliest event");
    assertTrue(reprocessed.size() < firstHalf.size(), "reprocessed " + reprocessed.size());
    assertEquals(Set.of(), twice, "alerts delivered by both nodes");
    assertEquals(0, day.duplicated(), "alerts node B delivered twice");
    assertTrue(all.containsAll(ids(events)), "every event processed by one node or the other");
    assertTrue(
        ScenarioOutcome.match(day.timeline().injected(), everything).allDetected(),
        ScenarioOutcome.match(day.timeline().injected(), everything).toString());
  }

  private static long rows(StoreSettings store, String table) throws Exception {
    try (Connection c = DriverManager.getConnection(store.url(), store.user(), store.password());
        ResultSet rows =
            c.createStatement()
                .executeQuery("SELECT COUNT(*) FROM " + table + " WHERE org = '" + ORG + "'")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static Set<String> ids(List<SimEvent> events) {
    Set<String> ids = new HashSet<>();
    events.forEach(e -> ids.add(e.eventIdentifier()));
    return ids;
  }

  private Set<String> journaled(String node) {
    return ProcessedJournalFile.ids(dir.resolve(node).resolve("processed-events.log"));
  }
}
