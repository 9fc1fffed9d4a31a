package io.leakwatch.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.leakwatch.alert.AlertRefusedException;
import io.leakwatch.decision.Alert;
import io.leakwatch.decision.Subjects;
import io.leakwatch.rulepack.Severity;
import io.leakwatch.testing.Postgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The alert history on both stores it runs on: the embedded file and a real PostgreSQL server
 * (binaries from Maven Central, started by the test).
 */
class AlertStoreTest {
  private static final long T0 = 1_773_064_800_000L; // 2026-03-09T14:00:00Z
  @TempDir static Path dir;

  /** A fresh, empty database of each kind. */
  static Stream<Arguments> stores() throws Exception {
    StoreSettings postgres = Postgres.freshDatabase();
    return Stream.of(
        Arguments.of(StoreSettings.embedded(dir.resolve(postgres.user()))), Arguments.of(postgres));
  }

  private static Alert alert(
      String id, String rule, Severity severity, String principal, int minute, int revision) {
    return Alert.builder()
        .id(id)
        .ruleId(rule)
        .title("t")
        .severity(severity)
        .principal(principal)
        .subjects(new Subjects(List.of("005000000000001AAA"), List.of(), List.of()))
        .count(3)
        .objects("Contact")
        .firstEventTime(T0 + minute * 60_000L)
        .lastEventTime(T0 + minute * 60_000L)
        .detectedAt(T0 + minute * 60_000L)
        .revision(revision)
        .build();
  }

  @ParameterizedTest
  @MethodSource("stores")
  void recordsEachRevisionOnceAndPagesNewestFirstThroughFilters(StoreSettings settings)
      throws Exception {
    List<Alert> all = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      Severity severity = i % 3 == 0 ? Severity.CRITICAL : Severity.MEDIUM;
      all.add(
          alert("a" + i, i % 2 == 0 ? "LW-001" : "LW-007", severity, "005P" + (i % 4), i / 2, 1));
    }
    all.add(alert("a24", "LW-001", Severity.CRITICAL, "005P0", 12, 2));
    try (AlertStore store = AlertStore.open(settings)) {
      for (int i = 0; i < all.size(); i++) {
        store.record(i % 2 == 0 ? "acme" : "beta", all.get(i));
      }
      store.record("acme", all.get(0)); // a redelivery
    }
    try (AlertStore store = AlertStore.open(settings)) { // a restart: migrations run again, no-op
      assertEquals(26, store.count(null));
      assertEquals(13, store.count("acme"));
      List<AlertStore.Stored> page = store.page(filter(null, null, null, null, 100, null));
      assertEquals("a24", page.get(0).alert().id());
      assertEquals(2, page.get(0).alert().revision(), "the later revision first");
      assertEquals(
          all.get(3).subjects(),
          page.stream()
              .filter(s -> s.alert().id().equals("a3"))
              .findFirst()
              .orElseThrow()
              .alert()
              .subjects());
      for (int i = 1; i < page.size(); i++) {
        assertTrue(page.get(i - 1).alert().detectedAt() >= page.get(i).alert().detectedAt());
      }
      assertEquals(10, store.page(filter(null, Severity.CRITICAL, null, null, 100, null)).size());
      assertEquals(14, store.page(filter("LW-001", null, null, null, 100, null)).size());
      assertEquals(8, store.page(filter(null, null, "005P0", null, 100, null)).size());
      assertTrue(
          store.page(filter(null, null, null, "beta", 100, null)).stream()
              .allMatch(s -> s.org().equals("beta")));

      // Pages of 4 with ties in detection time: every row once, none skipped.
      List<String> seen = new ArrayList<>();
      AlertStore.Position after = null;
      while (true) {
        List<AlertStore.Stored> rows = store.page(filter(null, null, null, null, 4, after));
        rows.forEach(s -> seen.add(s.org() + "/" + s.alert().deliveryKey()));
        if (rows.size() < 4) {
          break;
        }
        AlertStore.Stored last = rows.get(rows.size() - 1);
        after = new AlertStore.Position(last.alert().detectedAt(), last.seq());
      }
      assertEquals(26, seen.size());
      assertEquals(26, seen.stream().distinct().count());
    }
  }

  /** A Salesforce username at its longest (80 characters), as LW-017 takes it for principal. */
  static final String USERNAME_80 =
      "integration.admin.with.a.long.name@" + "x".repeat(33) + ".example.org";

  @ParameterizedTest
  @MethodSource("stores")
  void aPrincipalAsLongAsASalesforceUsernameIsRecordedAndReadBack(StoreSettings settings)
      throws Exception {
    assertEquals(80, USERNAME_80.length());
    String rule = "ACME-CUSTOM-RULE-" + "R".repeat(100); // a custom pack's rule id, 117 characters
    try (AlertStore store = AlertStore.open(settings)) {
      store.record("acme", alert("long1", "LW-017", Severity.CRITICAL, USERNAME_80, 1, 1));
      store.record("acme", alert("long2", rule, Severity.HIGH, "005L1", 2, 1));
      List<AlertStore.Stored> byPrincipal =
          store.page(filter(null, null, USERNAME_80, null, 100, null));
      assertEquals(1, byPrincipal.size());
      assertEquals(USERNAME_80, byPrincipal.get(0).alert().principal());
      assertEquals("long1", byPrincipal.get(0).alert().id());
      List<AlertStore.Stored> byRule = store.page(filter(rule, null, null, null, 100, null));
      assertEquals(1, byRule.size());
      assertEquals(rule, byRule.get(0).alert().ruleId());
    }
  }

  @ParameterizedTest
  @MethodSource("stores")
  void anAlertTheHistoryCanNeverHoldIsRefusedForGoodWithoutItsValues(StoreSettings settings)
      throws Exception {
    String tooLong = "secret-principal-" + "p".repeat(300);
    try (AlertStore store = AlertStore.open(settings)) {
      AlertRefusedException e =
          assertThrows(
              AlertRefusedException.class,
              () -> store.record("acme", alert("huge1", "LW-017", Severity.HIGH, tooLong, 1, 1)));
      assertTrue(e.getMessage().contains("huge1"), e.getMessage());
      assertTrue(e.getMessage().contains("principal of 317 characters"), e.getMessage());
      assertFalse(e.getMessage().contains("secret-principal"), e.getMessage());
      assertFalse(e.getMessage().contains("ppppp"), e.getMessage());
      for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
        assertFalse(String.valueOf(cause.getMessage()).contains("ppppp"), cause.toString());
      }
      // The connection is fine: the next alert is recorded.
      store.record("acme", alert("fine1", "LW-017", Severity.HIGH, USERNAME_80, 2, 1));
      assertEquals(1, store.count("acme"));
    }
  }

  @ParameterizedTest
  @MethodSource("stores")
  void aHistoryMadeBeforeTheColumnsWereWidenedKeepsItsRowsAndTakesLongPrincipals(
      StoreSettings settings) throws Exception {
    // The schema as releases before V4 left it, with a row in it.
    org.flywaydb.core.Flyway.configure()
        .dataSource(settings.url(), settings.user(), settings.password())
        .locations("classpath:io/leakwatch/store/migration")
        .table("leakwatch_schema_history")
        .target("3")
        .load()
        .migrate();
    try (Connection c =
        java.sql.DriverManager.getConnection(
            settings.url(), settings.user(), settings.password())) {
      c.createStatement()
          .execute(
              "INSERT INTO alert_history (delivery_key, org, alert_id, revision, rule_id,"
                  + " severity_rank, principal, detected_at, body) VALUES"
                  + " ('old1', 'acme', 'old1', 1, 'LW-001', 3, '005OLD', 1, '{}')");
    }
    try (AlertStore store = AlertStore.open(settings)) { // migrates to the newest version
      store.record("acme", alert("new1", "LW-017", Severity.HIGH, USERNAME_80, 1, 1));
      assertEquals(2, store.count("acme"));
      assertEquals(1, store.page(filter(null, null, USERNAME_80, null, 10, null)).size());
    }
    try (Connection c =
            java.sql.DriverManager.getConnection(
                settings.url(), settings.user(), settings.password());
        ResultSet old =
            c.createStatement()
                .executeQuery("SELECT principal FROM alert_history WHERE alert_id = 'old1'")) {
      assertTrue(old.next());
      assertEquals("005OLD", old.getString(1));
      List<String> indexes = new ArrayList<>();
      for (String table : List.of("alert_history", "ALERT_HISTORY")) {
        try (ResultSet rows = c.getMetaData().getIndexInfo(null, null, table, false, false)) {
          while (rows.next()) {
            indexes.add(
                String.valueOf(rows.getString("INDEX_NAME")).toLowerCase(java.util.Locale.ROOT));
          }
        }
      }
      assertTrue(indexes.contains("alert_history_principal"), "index kept: " + indexes);
      assertTrue(indexes.contains("alert_history_rule"), "index kept: " + indexes);
    }
  }

  @Test
  void onlyWhatTheSameRowWouldMeetAgainIsARefusalForGood() {
    for (String state : List.of("22001", "22021", "22P02", "23502", "23514", "54000")) {
      assertTrue(AlertStore.refusedForGood(new java.sql.SQLException("x", state)), state);
    }
    // Unreachable, shutting down, out of disk or connections, a serialization conflict, a
    // missing table: these may clear, so the alert is tried again.
    for (String state : List.of("08001", "08006", "57P01", "53100", "53300", "40001", "42P01")) {
      assertFalse(AlertStore.refusedForGood(new java.sql.SQLException("x", state)), state);
    }
    assertFalse(AlertStore.refusedForGood(new java.sql.SQLException("no state")));
  }

  @Test
  void theQueriesUseTheIndexesOnPostgres() throws Exception {
    StoreSettings settings = (StoreSettings) stores().toList().get(1).get()[0];
    try (AlertStore store = AlertStore.open(settings)) {
      for (int i = 0; i < 50; i++) {
        store.record("acme", alert("x" + i, "LW-00" + (i % 9), Severity.HIGH, "005Q" + i, i, 1));
      }
    }
    try (Connection c = Postgres.sql(settings)) {
      c.createStatement().execute("ANALYZE alert_history");
      c.createStatement().execute("SET enable_seqscan = off");
      ResultSet plan =
          c.createStatement()
              .executeQuery(
                  "EXPLAIN SELECT seq, org, body FROM alert_history WHERE rule_id = 'LW-003'"
                      + " ORDER BY detected_at DESC, seq DESC LIMIT 101");
      StringBuilder text = new StringBuilder();
      while (plan.next()) {
        text.append(plan.getString(1)).append('\n');
      }
      assertTrue(text.toString().contains("alert_history_rule"), text.toString());
    }
  }

  @Test
  void aStoreThatCannotBeReachedIsAClearErrorWithoutThePassword() {
    StoreSettings nowhere =
        StoreSettings.postgres("jdbc:postgresql://127.0.0.1:1/none", "lw", "hunter2-secret");
    StoreException e = assertThrows(StoreException.class, () -> AlertStore.open(nowhere));
    assertTrue(
        e.getMessage().startsWith("store postgres jdbc:postgresql://127.0.0.1:1/none as lw"),
        e.getMessage());
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    assertFalse(nowhere.toString().contains("hunter2"));
  }

  @Test
  void aDamagedEmbeddedStoreIsMovedAsideAndAFreshOneStartsSoTheEngineIsNotBlind() throws Exception {
    Path folder = java.nio.file.Files.createDirectories(dir.resolve("damaged"));
    StoreSettings settings = StoreSettings.embedded(folder);
    try (AlertStore store = AlertStore.open(settings)) {
      store.record("acme", alert("d1", "LW-001", Severity.HIGH, "005D1", 1, 1));
    }
    // A crash mid-write as H2 once left it: the file is there but is not a database.
    java.nio.file.Files.write(settings.embeddedFile(), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    assertThrows(StoreException.class, () -> AlertStore.open(settings));

    List<String> warnings = new ArrayList<>();
    try (AlertStore store = AlertStore.openRecovering(settings, warnings::add)) {
      assertEquals(0, store.count("acme"), "a new, empty history");
      store.record("acme", alert("d2", "LW-001", Severity.HIGH, "005D2", 2, 1));
      assertEquals(1, store.count("acme"));
    }
    assertEquals(1, warnings.size());
    assertTrue(warnings.get(0).contains("moved to"), warnings.get(0));
    try (var aside = java.nio.file.Files.list(folder)) {
      assertTrue(
          aside.anyMatch(p -> p.getFileName().toString().contains(".mv.db.corrupt-")),
          "the damaged file is kept for inspection");
    }
  }

  @Test
  void aPostgresStoreThatDoesNotOpenIsNeverReplaced() {
    StoreSettings nowhere =
        StoreSettings.postgres("jdbc:postgresql://127.0.0.1:1/none", "lw", "secret");
    assertThrows(
        StoreException.class,
        () -> AlertStore.openRecovering(nowhere, w -> fail("nothing to move aside: " + w)));
  }

  private static AlertStore.Filter filter(
      String rule,
      Severity min,
      String principal,
      String org,
      int limit,
      AlertStore.Position after) {
    return new AlertStore.Filter(null, null, min, rule, principal, org, limit, after);
  }
}
