package io.leakwatch.cluster;

import io.leakwatch.store.Fence;
import io.leakwatch.store.StoreConnection;
import io.leakwatch.store.StoreSettings;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code org_lease} table of the shared PostgreSQL store: which node may process which org, and
 * under which fencing token. Expiry is computed on the database's clock, so nodes whose clocks
 * disagree still agree on when a lease has run out. Every grant increments the org's token; a lease
 * is never deleted, only expired, so tokens only grow.
 *
 * <p>One {@link StoreConnection}, used by one caller at a time; opened again after a failure. Each
 * thread that must not wait for another (the renewer, the assignment) opens its own.
 */
public final class OrgLeases implements AutoCloseable {
  /** Now on the database's clock, in epoch milliseconds. */
  private static final String NOW = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";

  /** A row of the table, with the database's time it was read at. */
  public record Lease(String org, String owner, long token, long expiresAt, long readAt) {
    public boolean live() {
      return expiresAt > readAt;
    }
  }

  /**
   * A store that stops answering must fail the call, not hang it: a lease renewal that hangs past
   * the lease's expiry would leave the org running on two nodes.
   */
  private static final Map<String, String> DRIVER_OPTIONS =
      Map.of("connectTimeout", "5", "socketTimeout", "5", "ApplicationName", "leakwatch-lease");

  private final StoreConnection connection;
  private final String owner;

  /**
   * @param owner what this node writes in the owner column: its name and incarnation, so a node
   *     that restarts waits for its previous incarnation's leases to expire like any other node
   */
  public OrgLeases(StoreSettings store, String owner) {
    this.connection = StoreConnection.autoCommit(store).withDriverOptions(DRIVER_OPTIONS);
    this.owner = owner;
  }

  public String owner() {
    return owner;
  }

  /**
   * Takes the org's lease if nobody holds it (never granted, released, or expired): the token is
   * one more than the last grant's.
   *
   * @return the fence to write under, or empty when another node holds a live lease
   */
  public synchronized Optional<Fence> acquire(String org, long ttlMillis) throws SQLException {
    String sql =
        "INSERT INTO org_lease (org, owner, token, expires_at) VALUES (?, ?, 1, "
            + NOW
            + " + ?) ON CONFLICT (org) DO UPDATE SET owner = EXCLUDED.owner,"
            + " token = org_lease.token + 1, expires_at = EXCLUDED.expires_at"
            + " WHERE org_lease.expires_at <= "
            + NOW
            + " RETURNING token";
    return connection.run(
        c -> {
          try (PreparedStatement insert = c.prepareStatement(sql)) {
            insert.setString(1, org);
            insert.setString(2, owner);
            insert.setLong(3, ttlMillis);
            try (ResultSet rows = insert.executeQuery()) {
              return rows.next() ? Optional.of(new Fence(org, rows.getLong(1))) : Optional.empty();
            }
          }
        });
  }

  /**
   * Extends the lease by {@code ttlMillis} from now if it still carries this node's fence (even
   * when it ran out meanwhile: nobody else took it, so nothing else was written under it).
   *
   * @return false when another node has taken the org: stop processing it at once
   */
  public synchronized boolean renew(Fence fence, long ttlMillis) throws SQLException {
    return update(
        "UPDATE org_lease SET expires_at = "
            + NOW
            + " + ? WHERE org = ? AND owner = ? AND token = ?",
        ttlMillis,
        fence);
  }

  /**
   * Gives the lease up now (after the org's engine stopped), so the next owner need not wait for it
   * to expire; the token stays, so the next grant's is higher.
   *
   * @return false when the lease had already been taken by another node
   */
  public synchronized boolean release(Fence fence) throws SQLException {
    return update(
        "UPDATE org_lease SET expires_at = 0 WHERE org = ? AND owner = ? AND token = ?",
        null,
        fence);
  }

  /** Every lease ever granted, by org. */
  public synchronized List<Lease> all() throws SQLException {
    return connection.run(
        c -> {
          try (PreparedStatement query =
                  c.prepareStatement(
                      "SELECT org, owner, token, expires_at, "
                          + NOW
                          + " FROM org_lease ORDER BY org");
              ResultSet rows = query.executeQuery()) {
            List<Lease> out = new ArrayList<>();
            while (rows.next()) {
              out.add(
                  new Lease(
                      rows.getString(1),
                      rows.getString(2),
                      rows.getLong(3),
                      rows.getLong(4),
                      rows.getLong(5)));
            }
            return out;
          }
        });
  }

  private boolean update(String sql, Long ttlMillis, Fence fence) throws SQLException {
    return connection.run(
        c -> {
          try (PreparedStatement update = c.prepareStatement(sql)) {
            int i = 1;
            if (ttlMillis != null) {
              update.setLong(i++, ttlMillis);
            }
            update.setString(i++, fence.org());
            update.setString(i++, owner);
            update.setLong(i, fence.token());
            return update.executeUpdate() == 1;
          }
        });
  }

  @Override
  public synchronized void close() {
    connection.close();
  }
}
