package io.leakwatch.harness;

import io.leakwatch.store.StoreSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL server (embedded binaries) holding an empty database {@code leakwatch} owned by
 * user {@code lw}: what {@code store: postgres} points at. Closing it stops the server.
 */
public final class StoreDatabase implements AutoCloseable {
  public static final String DATABASE = "leakwatch";
  public static final String USER = "lw";

  private final EmbeddedPostgres postgres;
  private final String password;

  private StoreDatabase(EmbeddedPostgres postgres, String password) {
    this.postgres = postgres;
    this.password = password;
  }

  /**
   * Starts the server and creates the database and its owner, who signs in with {@code password}.
   */
  public static StoreDatabase start(String password) throws IOException, SQLException {
    EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
    try (Connection admin = postgres.getPostgresDatabase().getConnection();
        Statement sql = admin.createStatement()) {
      sql.execute("CREATE USER " + USER + " WITH PASSWORD '" + password.replace("'", "''") + "'");
      sql.execute("CREATE DATABASE " + DATABASE + " OWNER " + USER);
    } catch (SQLException | RuntimeException e) {
      postgres.close();
      throw e;
    }
    return new StoreDatabase(postgres, password);
  }

  public int port() {
    return postgres.getPort();
  }

  /** The JDBC URL of the database, as the configuration's {@code store.url}. */
  public String url() {
    return "jdbc:postgresql://localhost:" + port() + "/" + DATABASE;
  }

  /** The store as an engine started in this JVM is given it. */
  public StoreSettings settings() {
    return StoreSettings.postgres(url(), USER, password);
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
