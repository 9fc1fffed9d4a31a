package io.leakwatch.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.leakwatch.testing.Postgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one connection each user of the store holds, on a real PostgreSQL server: opened again after
 * the server dropped it, a failed transaction leaves nothing, a refusal keeps the connection, and
 * an unreachable store says so without its password.
 */
class StoreConnectionTest {
  private StoreSettings store;

  @BeforeEach
  void database() throws Exception {
    store = Postgres.freshDatabase();
    try (Connection c = Postgres.sql(store);
        Statement sql = c.createStatement()) {
      sql.execute("CREATE TABLE seen (n INT)");
    }
  }

  private static int backend(Connection c) throws SQLException {
    try (Statement sql = c.createStatement();
        ResultSet rows = sql.executeQuery("SELECT pg_backend_pid()")) {
      rows.next();
      return rows.getInt(1);
    }
  }

  private static Integer networkTimeout(Connection c) throws SQLException {
    return c.getNetworkTimeout();
  }

  private int rows() throws SQLException {
    try (Connection c = Postgres.sql(store);
        Statement sql = c.createStatement();
        ResultSet rows = sql.executeQuery("SELECT COUNT(*) FROM seen")) {
      rows.next();
      return rows.getInt(1);
    }
  }

  private static Void insert(Connection c) throws SQLException {
    try (Statement sql = c.createStatement()) {
      sql.executeUpdate("INSERT INTO seen VALUES (1)");
    }
    return null;
  }

  @Test
  void stateConnectionsToPostgresTimeOutInsteadOfHangingAndNameThemselves() throws Exception {
    try (StoreConnection connection =
        StoreConnection.autoCommit(store)
            .withDriverOptions(StoreConnection.stateTimeouts(store, "leakwatch-state"))) {
      assertEquals(
          "leakwatch-state",
          connection.run(
              c -> {
                try (Statement sql = c.createStatement();
                    ResultSet rows = sql.executeQuery("SHOW application_name")) {
                  rows.next();
                  return rows.getString(1);
                }
              }),
          "the driver took the options");
      int timeout = connection.run(StoreConnectionTest::networkTimeout);
      assertEquals(60_000, timeout, "a call on a silent connection fails after 60 s");
    }
    assertEquals(
        java.util.Map.of(),
        StoreConnection.stateTimeouts(StoreSettings.inMemory("t"), "x"),
        "the embedded driver takes no such properties");
  }

  @Test
  void aConnectionTheServerDroppedFailsOneCallAndTheNextOpensANewOne() throws Exception {
    try (StoreConnection connection = StoreConnection.autoCommit(store)) {
      int first = connection.run(StoreConnectionTest::backend);
      try (Connection admin = Postgres.sql(store);
          Statement sql = admin.createStatement()) {
        sql.execute("SELECT pg_terminate_backend(" + first + ")");
      }
      assertThrows(SQLException.class, () -> connection.run(StoreConnectionTest::backend));
      assertNotEquals(first, connection.run(StoreConnectionTest::backend));
    }
  }

  @Test
  void aTransactionThatFailsLeavesNothingAndTheNextOneWorks() throws Exception {
    try (StoreConnection connection = StoreConnection.transactional(store)) {
      assertThrows(
          SQLException.class,
          () ->
              connection.run(
                  c -> {
                    insert(c);
                    throw new SQLException("the second statement failed");
                  }));
      assertEquals(0, rows());
      connection.run(StoreConnectionTest::insert);
      assertEquals(1, rows());
    }
  }

  @Test
  void aRefusalOfTheWorksOwnRollsBackAndKeepsTheConnection() throws Exception {
    try (StoreConnection connection = StoreConnection.transactional(store)) {
      int first = connection.run(StoreConnectionTest::backend);
      assertThrows(
          FencedOffException.class,
          () ->
              connection.run(
                  c -> {
                    insert(c);
                    throw new FencedOffException(new Fence("acme", 1));
                  }));
      assertEquals(0, rows());
      assertEquals(first, connection.run(StoreConnectionTest::backend));
    }
  }

  @Test
  void aStoreThatCannotBeReachedIsAnErrorWithoutThePassword() {
    StoreSettings nowhere =
        StoreSettings.postgres("jdbc:postgresql://127.0.0.1:1/none", "lw", "hunter2-secret");
    try (StoreConnection connection = StoreConnection.autoCommit(nowhere)) {
      SQLException e = assertThrows(SQLException.class, connection::connect);
      assertFalse(String.valueOf(e.getMessage()).contains("hunter2"), e.getMessage());
    }
  }
}
