package io.leakwatch.store;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One part of one org's state in the shared store: the transactions its reads and fenced writes run
 * in, on a {@link StoreConnection} of its own. Thread-safe: one caller at a time.
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
  interface Work<T> extends StoreConnection.Work<T, RuntimeException> {}

  private final StoreSettings settings;
  private final String org;
  private final Fence fence;
  private final String what;
  private final StoreConnection connection;

  /**
   * @param org the org's name, the key of its rows
   * @param fence the lease its writes are made under, or null (unconditional writes)
   * @param part the part of the state, for messages ("checkpoint")
   */
  StateDatabase(StoreSettings settings, String org, Fence fence, String part) {
    this.settings = settings;
    this.org = org;
    this.fence = fence;
    this.what = "org " + org + " " + part;
    this.connection =
        StoreConnection.transactional(settings)
            .withDriverOptions(StoreConnection.stateTimeouts(settings, "leakwatch-state"));
  }

  /** The org's name, the key of its rows. */
  String org() {
    return org;
  }

  StoreSettings store() {
    return settings;
  }

  /** This part of the org's state and where it lives, for logs; never a password. */
  String describe() {
    return what + " in " + settings.describe();
  }

  /**
   * Runs {@code work} in one transaction, under the fence if there is one: only while the org's
   * lease carries its token (else nothing is written and {@link FencedOffException} is thrown).
   */
  <T> T write(Work<T> work) throws IOException {
    return transaction(fence, work);
  }

  /** Runs {@code work} in one transaction, unfenced (reads). */
  <T> T read(Work<T> work) throws IOException {
    return transaction(null, work);
  }

  /** Throws {@link FencedOffException} when the fence (if any) no longer holds. */
  void checkFence() throws IOException {
    if (fence != null) {
      write(connection -> null);
    }
  }

  private synchronized <T> T transaction(Fence under, Work<T> work) throws IOException {
    try {
      connection.connect();
    } catch (SQLException e) {
      throw new IOException(
          "store " + settings.describe() + ": " + what + ": cannot connect: " + e.getMessage(), e);
    }
    try {
      return connection.run(
          c -> {
            if (under != null && !holds(c, under)) {
              throw new FencedOffException(under);
            }
            return work.run(c);
          });
    } catch (SQLException | RuntimeException e) {
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

  @Override
  public synchronized void close() {
    connection.close();
  }
}
