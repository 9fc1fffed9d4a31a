package io.leakwatch.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.cep.SavedTable;
import io.leakwatch.checkpoint.AlertLedger;
import io.leakwatch.checkpoint.Checkpoint;
import io.leakwatch.checkpoint.CheckpointStore;
import io.leakwatch.checkpoint.LearnedState;
import io.leakwatch.checkpoint.LearnedStateFile;
import io.leakwatch.checkpoint.LoginCursor;
import io.leakwatch.checkpoint.SeenLogin;
import io.leakwatch.pubsub.ReplayId;
import io.leakwatch.testing.Await;
import io.leakwatch.testing.Postgres;
import io.leakwatch.testing.SteppedClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An org's checkpoint, delivered-alert ledger and learned state in a real PostgreSQL server
 * (binaries from Maven Central, started by the test): what one node writes another reads back
 * exactly, orgs never mix, and a write under a lease another node was granted since changes nothing
 * and says which org.
 */
class SharedOrgStateTest {
  private StoreSettings settings;

  @BeforeEach
  void freshDatabase() throws Exception {
    // org_lease is there before any node opens an org's state
    settings = Postgres.migratedDatabase();
  }

  private Connection sql() throws Exception {
    return Postgres.sql(settings);
  }

  /** What the cluster's lease code does: grant {@code org} to {@code owner} with {@code token}. */
  private void grant(String org, String owner, long token) throws Exception {
    Postgres.grant(settings, org, owner, token);
  }

  private static ReplayId id(int n) {
    return ReplayId.of(new byte[] {0, 0, 0, 0, 0, 0, 1, (byte) n});
  }

  private static Map<String, Checkpoint> positions(int n) {
    return Map.of(
        "/event/ApiEventStream",
        new Checkpoint("/event/ApiEventStream", id(n), 1_000L * n, id(n + 1), 2_000L * n),
        "/event/LoginEventStream",
        new Checkpoint("/event/LoginEventStream", null, 0, id(n + 2), 3_000L * n));
  }

  private static LearnedState learned(long eventTime, String country) {
    return new LearnedState(
        eventTime,
        eventTime - 86_400_000L,
        Map.of(
            "/event/ApiEventStream",
            new LearnedState.Position(id(7), eventTime - 5),
            "/event/LoginEventStream",
            new LearnedState.Position(null, 0)),
        Map.of(
            "LW-013/KnownCountries",
            new SavedTable(
                "userId:string,country:string,lastSeen:long",
                List.of("userId", "country", "lastSeen"),
                List.of(
                    Arrays.asList("005000000000001AAA", country, eventTime),
                    Arrays.asList("005000000000002AAA", null, 42L)))),
        // The LoginHistory poll's cursor and entries at the same instant, saved with the tables.
        new LoginCursor(
            eventTime - 60_000,
            Map.of(
                "0Ya000000000001AAA",
                new SeenLogin(eventTime - 90_000, SeenLogin.POLL),
                "0Ya000000000002AAA",
                new SeenLogin(eventTime - 30_000, SeenLogin.STREAM))));
  }

  @Test
  void whatOneNodeWritesAnotherReadsBackExactlyAndOrgsNeverMix() throws Exception {
    try (SharedOrgState nodeA = SharedOrgState.open(settings, "acme", null);
        SharedOrgState beta = SharedOrgState.open(settings, "beta", null)) {
      assertEquals(Map.of(), nodeA.checkpoints().loadEach().positions(), "nothing yet");
      assertNull(nodeA.learnedState().load());
      nodeA.checkpoints().save(positions(1));
      nodeA.checkpoints().save(positions(2)); // replaces the first, as a whole
      beta.checkpoints().save(Map.of());
      assertTrue(nodeA.ledger().claim("lw-1/1"));
      nodeA.ledger().record("lw-1/1");
      assertTrue(nodeA.ledger().claim("lw-2/1")); // claimed, then the node died
      nodeA.learnedState().save(learned(1_773_100_000_000L, "US"));
      nodeA.learnedState().save(learned(1_773_200_000_000L, "RO"));
      assertTrue(beta.ledger().claim("lw-1/1"), "another org's ledger is its own");
    }
    try (SharedOrgState nodeB = SharedOrgState.open(settings, "acme", null)) {
      CheckpointStore.Loaded loaded = nodeB.checkpoints().loadEach();
      assertEquals(positions(2), loaded.positions());
      assertEquals(Map.of(), loaded.unreadable());
      assertFalse(nodeB.ledger().claim("lw-1/1"), "delivered once: not again");
      assertTrue(nodeB.ledger().claim("lw-2/1"), "claimed but never marked: delivered again");
      assertTrue(nodeB.ledger().delivered("lw-1/1"));
      assertFalse(nodeB.ledger().delivered("lw-2/1"));
      LearnedState state = nodeB.learnedState().load();
      LearnedState expected = learned(1_773_200_000_000L, "RO");
      assertEquals(expected.eventTime(), state.eventTime());
      assertEquals(expected.watchedSince(), state.watchedSince());
      assertEquals(expected.positions(), state.positions());
      assertEquals(expected.tables(), state.tables());
      assertEquals(expected.loginHistory(), state.loginHistory());
    }
    try (Connection c = sql();
        ResultSet rows =
            c.createStatement()
                .executeQuery("SELECT COUNT(*) FROM org_checkpoint WHERE org = 'acme'")) {
      rows.next();
      assertEquals(2, rows.getInt(1), "one row per topic, the old ones replaced");
    }
  }

  @Test
  void deliveredAlertsOlderThanTheLedgersHorizonAreDeletedClaimsNever() throws Exception {
    SteppedClock clock = new SteppedClock(Instant.parse("2026-03-09T14:00:00Z"));
    try (PostgresLedger ledger =
        new PostgresLedger(
            new StateDatabase(settings, "acme", null, "delivered-alert ledger"),
            clock,
            Duration.ofDays(30))) {
      assertTrue(ledger.claim("lw-1/old"));
      ledger.record("lw-1/old");
      assertTrue(ledger.claim("lw-2/claimed")); // claimed, never marked: delivered again on resume
      clock.step(Duration.ofDays(29));
      assertTrue(ledger.claim("lw-3/recent"));
      ledger.record("lw-3/recent");
      assertEquals(List.of("lw-1/old", "lw-2/claimed", "lw-3/recent"), ledgerKeys("acme"));
      clock.step(Duration.ofDays(2)); // the first: 31 days ago; the recent one: 2
      assertTrue(ledger.claim("lw-4/new"));
      ledger.record("lw-4/new");
      assertEquals(List.of("lw-2/claimed", "lw-3/recent", "lw-4/new"), ledgerKeys("acme"));
      assertFalse(ledger.claim("lw-3/recent"), "still delivered once");
    }
  }

  private List<String> ledgerKeys(String org) throws Exception {
    try (Connection c = sql();
        java.sql.PreparedStatement query =
            c.prepareStatement(
                "SELECT delivery_key FROM org_delivered_alert WHERE org = ? ORDER BY delivery_key")) {
      query.setString(1, org);
      List<String> keys = new java.util.ArrayList<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          keys.add(rows.getString(1));
        }
      }
      return keys;
    }
  }

  @Test
  void aWriteUnderAStaleLeaseIsRefusedNamingTheOrgAndChangesNothing() throws Exception {
    grant("acme", "node-a", 4);
    Fence a = new Fence("acme", 4);
    try (SharedOrgState nodeA = SharedOrgState.open(settings, "acme", a)) {
      nodeA.checkFence();
      nodeA.checkpoints().save(positions(1));
      assertTrue(nodeA.ledger().claim("lw-1/1"));
      nodeA.ledger().record("lw-1/1");
      nodeA.learnedState().save(learned(1_773_100_000_000L, "US"));

      grant("acme", "node-b", 5); // node A paused past its lease; node B has the org now

      FencedOffException refused =
          assertThrows(FencedOffException.class, () -> nodeA.checkpoints().save(positions(9)));
      assertEquals("acme", refused.org());
      assertEquals(4, refused.token());
      assertTrue(refused.getMessage().startsWith("org acme: "), refused.getMessage());
      assertThrows(FencedOffException.class, () -> nodeA.ledger().claim("lw-2/1"));
      assertThrows(FencedOffException.class, () -> nodeA.ledger().record("lw-3/1"));
      assertThrows(
          FencedOffException.class,
          () -> nodeA.learnedState().save(learned(1_773_900_000_000L, "RO")));
      assertThrows(FencedOffException.class, nodeA::checkFence);
    }
    try (SharedOrgState nodeB = SharedOrgState.open(settings, "acme", new Fence("acme", 5))) {
      assertEquals(positions(1), nodeB.checkpoints().loadEach().positions());
      assertFalse(nodeB.ledger().delivered("lw-2/1"));
      assertTrue(nodeB.ledger().claim("lw-2/1"), "never claimed by the stale node");
      assertFalse(nodeB.ledger().delivered("lw-3/1"));
      assertEquals(1_773_100_000_000L, nodeB.learnedState().load().eventTime());
      nodeB.checkpoints().save(positions(2)); // the holder writes
      assertEquals(positions(2), nodeB.checkpoints().loadEach().positions());
    }
    try (SharedOrgState noLease = SharedOrgState.open(settings, "gamma", new Fence("gamma", 1))) {
      assertThrows(FencedOffException.class, () -> noLease.checkpoints().save(positions(1)));
    }
  }

  /**
   * A grant made while a fenced write is in flight waits for it, and a write that waits for a grant
   * is refused: the new owner never reads state a stale node writes afterwards.
   */
  @Test
  void aWriteWaitingOnAGrantInProgressIsRefusedOnceTheGrantCommits() throws Exception {
    grant("acme", "node-a", 1);
    try (SharedOrgState nodeA = SharedOrgState.open(settings, "acme", new Fence("acme", 1));
        Connection granting = sql()) {
      nodeA.checkpoints().save(positions(1));
      granting.setAutoCommit(false);
      Postgres.grant(granting, "acme", "node-b", 2); // not committed yet: holds the lease row
      CompletableFuture<Void> write =
          CompletableFuture.runAsync(
              () -> {
                try {
                  nodeA.checkpoints().save(positions(9));
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      Await.until(this::aWriteWaitsOnTheLease, "the fenced write to wait on the grant");
      granting.commit();
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> write.get(30, TimeUnit.SECONDS));
      assertTrue(e.getCause().getCause() instanceof FencedOffException, e.toString());
      assertEquals(positions(1), nodeA.checkpoints().loadEach().positions());
    }
  }

  private boolean aWriteWaitsOnTheLease() {
    try (Connection c = sql();
        ResultSet rows =
            c.createStatement()
                .executeQuery(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        + " AND query LIKE '%FROM org_lease%'")) {
      rows.next();
      return rows.getInt(1) == 1;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void anUnreadableLearnedStateIsCopiedAsideForInspectionAndReplacedByTheNextSave()
      throws Exception {
    try (SharedOrgState state = SharedOrgState.open(settings, "acme", null)) {
      state.learnedState().save(learned(1_773_100_000_000L, "US"));
      try (Connection c = sql()) {
        c.createStatement()
            .execute("UPDATE org_learned_state SET body = '{\"version\": 1, \"eventTime\": ['");
      }
      LearnedStateFile.UnreadableStateException e =
          assertThrows(LearnedStateFile.UnreadableStateException.class, state.learnedState()::load);
      assertTrue(e.getMessage().startsWith("org acme learned state in postgres "), e.getMessage());
      assertFalse(e.getMessage().contains("pw-"), e.getMessage());
      String aside = state.learnedState().keepCopy();
      assertTrue(aside.contains("slot corrupt-"), aside);
      // Left in place until the next save, which waits behind the alert that reports it.
      assertThrows(LearnedStateFile.UnreadableStateException.class, state.learnedState()::load);
      state.learnedState().save(learned(1_773_200_000_000L, "RO"));
      assertEquals(1_773_200_000_000L, state.learnedState().load().eventTime());
    }
    try (Connection c = sql();
        ResultSet rows =
            c.createStatement()
                .executeQuery(
                    "SELECT COUNT(*) FROM org_learned_state WHERE slot LIKE 'corrupt-%'")) {
      rows.next();
      assertEquals(1, rows.getInt(1), "the unreadable state is kept");
    }
  }

  /**
   * A single node switched from the embedded store to PostgreSQL: its first start moves the state
   * folder's checkpoint, ledger and learned state into the store and the files aside; a second
   * start, or a node whose folder still has files while the store already holds the org, imports
   * nothing.
   */
  @Test
  void theFirstStartOnPostgresMovesTheStateFolderIntoTheStoreOnce(@TempDir Path state)
      throws Exception {
    Path checkpoint = state.resolve("checkpoint.json");
    Path ledgerFile = state.resolve("delivered-alerts.txt");
    Path learnedFile = state.resolve("learned-state.json");
    new CheckpointStore(checkpoint).save(positions(3));
    try (AlertLedger ledger = new AlertLedger(ledgerFile)) {
      ledger.record("LW-001/abc#1");
      ledger.record("LW-013/def#1");
    }
    LearnedState learned = learned(1_773_300_000_000L, "PT");
    new LearnedStateFile(learnedFile).save(learned);

    try (SharedOrgState store = SharedOrgState.open(settings, "acme", null)) {
      FolderStateImport.Imported imported =
          FolderStateImport.ifFirstStart(checkpoint, ledgerFile, learnedFile, store);
      assertEquals(2, imported.topics());
      assertEquals(2, imported.deliveredAlerts());
      assertTrue(imported.learnedState());
      assertEquals(positions(3), store.checkpoints().loadEach().positions());
      assertFalse(store.ledger().claim("LW-001/abc#1"), "delivered before: not again");
      assertFalse(store.ledger().claim("LW-013/def#1"));
      assertTrue(store.ledger().claim("LW-002/new#1"));
      LearnedState back = store.learnedState().load();
      assertEquals(learned.eventTime(), back.eventTime());
      assertEquals(learned.positions(), back.positions());
      assertEquals(
          learned.tables().get("LW-013/KnownCountries").rows(),
          back.tables().get("LW-013/KnownCountries").rows());
      assertEquals(learned.loginHistory(), back.loginHistory());
      assertFalse(Files.exists(checkpoint), "the folder no longer offers old positions");
      assertTrue(Files.exists(state.resolve("imported-to-store/checkpoint.json")));
      assertTrue(Files.exists(state.resolve("imported-to-store/delivered-alerts.txt")));
      assertTrue(Files.exists(state.resolve("imported-to-store/learned-state.json")));

      // Another node's folder with older files: the store already holds the org, nothing moves.
      new CheckpointStore(checkpoint).save(positions(1));
      assertNull(FolderStateImport.ifFirstStart(checkpoint, ledgerFile, learnedFile, store));
      assertEquals(positions(3), store.checkpoints().loadEach().positions());
      assertTrue(Files.exists(checkpoint));
    }
  }

  @Test
  void anUnreadableCheckpointInTheFolderStopsTheImportAndSaysWhy(@TempDir Path state)
      throws Exception {
    Path checkpoint = state.resolve("checkpoint.json");
    Files.writeString(checkpoint, "{ not json");
    try (SharedOrgState store = SharedOrgState.open(settings, "acme", null)) {
      java.io.IOException e =
          assertThrows(
              java.io.IOException.class,
              () ->
                  FolderStateImport.ifFirstStart(
                      checkpoint,
                      state.resolve("delivered-alerts.txt"),
                      state.resolve("learned-state.json"),
                      store));
      assertTrue(e.getMessage().contains("cannot be moved into the store"), e.getMessage());
      assertTrue(store.checkpoints().loadEach().positions().isEmpty(), "nothing half-imported");
    }
  }
}
