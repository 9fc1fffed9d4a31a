package io.leakwatch.store;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

/**
 * One connection to the shared store for one part of one org's state, and the transactions its
 * reads and fenced writes run in. Opened again after a failure. Thread-safe: one caller at a time.
 */
final class StateDatabase implements AutoCloseable {
  /**
   * {@link Fence#HOLDS_LEASE}'s condition, taken as a row lock: while a write holds the lease row
   * FOR SHARE, a new grant (which updates the row) waits until the write commits, and a write that
   * starts after a grant sees the new token and finds no row. A stale node can thus never write
   * after the new owner has read the state it resumes from.
   */
  private static final String LOCK_LEASE =
      "SELECT token FROM org_lease WHERE org_lease.org = ? AND org_lease.token = ? FOR SHARE";

  /** Work done in one transaction. */
  interface Work<T> {
    T run(Connection connection) throws SQLException, IOException;
  }

  private final StoreSettings settings;
  private final String what;
  private Connection connection;

  /**
   * @param what the part of the state, for messages ("org acme checkpoint")
   */
  StateDatabase(StoreSettings settings, String what) {
    this.settings = settings;
    this.what = what;
  }

  /**
   * Runs {@code work} in one transaction; with a {@code fence}, only while the org's lease carries
   * its token (else nothing is written and {@link FencedOffException} is thrown).
   */
  synchronized <T> T write(Fence fence, Work<T> work) throws IOException {
    return transaction(
        connection -> {
          if (fence != null && !holds(connection, fence)) {
            throw new FencedOffException(fence);
          }
          return work.run(connection);
        });
  }

  /** Runs {@code work} in one transaction, unfenced (reads). */
  synchronized <T> T read(Work<T> work) throws IOException {
    return transaction(work);
  }

  private <T> T transaction(Work<T> work) throws IOException {
    Connection c;
    try {
      c = connection();
    } catch (SQLException e) {
      throw new IOException(
          "store " + settings.describe() + ": " + what + ": cannot connect: " + e.getMessage(), e);
    }
    try {
      T result = work.run(c);
      c.commit();
      return result;
    } catch (FencedOffException e) {
      rollback(c);
      throw e;
    } catch (SQLException | IOException | RuntimeException e) {
      rollback(c);
      reset();
      throw new IOException(
          "store " + settings.describe() + ": " + what + ": " + e.getMessage(), e);
    }
  }

  private static boolean holds(Connection connection, Fence fence) throws SQLException {
    try (PreparedStatement lock = connection.prepareStatement(LOCK_LEASE)) {
      lock.setString(1, fence.org());
      lock.setLong(2, fence.token());
      try (ResultSet rows = lock.executeQuery()) {
        return rows.next();
      }
    }
  }

  private void rollback(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      reset(); // a broken connection: the next call opens a new one
    }
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      Properties properties = new Properties();
      if (settings.user() != null) {
        properties.setProperty("user", settings.user());
      }
      if (settings.password() != null) {
        properties.setProperty("password", settings.password());
      }
      connection = DriverManager.getConnection(settings.url(), properties);
      connection.setAutoCommit(false);
    }
    return connection;
  }

  private void reset() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // Already broken; a new connection is opened on the next call.
      }
      connection = null;
    }
  }

  @Override
  public synchronized void close() {
    reset();
  }
}
