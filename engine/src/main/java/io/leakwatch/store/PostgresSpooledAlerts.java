package io.leakwatch.store;

import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The alerts this node's spooled sinks took and have not finished (delivered or dead-lettered), in
 * the shared store (table {@code org_spooled_alert}): the ledger marks an alert delivered once a
 * spool has it, so without these rows an alert still on a lost node's disk would be sent by nobody.
 *
 * <p>Which writes are fenced: recording that a sink spooled an alert, and that it finished one, are
 * facts about this node's disk, true whoever holds the org's lease now, so they are unfenced (the
 * claim before the sinks was fenced already). Taking another node's rows over changes who answers
 * for them, so that is written under the new owner's lease.
 */
public final class PostgresSpooledAlerts implements AutoCloseable {
  /** One alert a sink spooled and never finished, as recorded. */
  public record Spooled(String org, String sink, String deliveryKey, String node, String payload) {}

  private final StoreSettings settings;
  private final String node;
  private final Clock clock;
  // One connection for recording alerts as the alert workers spool them, another for finishing
  // and reading rows: a backlog of deletes or a takeover's read never holds up a spooled alert.
  private final StoreConnection recording;
  private final StoreConnection background;

  /**
   * @param node this node's name ({@code cluster.node}): rows it writes say they are on its disk
   */
  public PostgresSpooledAlerts(StoreSettings settings, String node, Clock clock) {
    if (settings.kind() != StoreSettings.Kind.POSTGRES) {
      throw new IllegalArgumentException("spooled alerts are shared only in a PostgreSQL store");
    }
    Schema.migrateOnce(settings);
    this.settings = settings;
    this.node = node;
    this.clock = clock;
    this.recording =
        StoreConnection.transactional(settings)
            .withDriverOptions(StoreConnection.stateTimeouts(settings, "leakwatch-spooled"));
    this.background =
        StoreConnection.transactional(settings)
            .withDriverOptions(
                StoreConnection.stateTimeouts(settings, "leakwatch-spooled-finished"));
  }

  public String node() {
    return node;
  }

  /** Records that {@code sink} on this node spooled the alert; before the ledger says delivered. */
  public void spooled(String org, String sink, String deliveryKey, String payload)
      throws IOException {
    long now = clock.millis();
    run(
        recording,
        "record spooled alert " + deliveryKey,
        c -> {
          try (PreparedStatement upsert =
              c.prepareStatement(
                  "INSERT INTO org_spooled_alert (org, sink, delivery_key, node, payload,"
                      + " spooled_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (org, sink,"
                      + " delivery_key) DO UPDATE SET node = EXCLUDED.node, payload ="
                      + " EXCLUDED.payload, spooled_at = EXCLUDED.spooled_at")) {
            upsert.setString(1, org);
            upsert.setString(2, sink);
            upsert.setString(3, deliveryKey);
            upsert.setString(4, node);
            upsert.setString(5, payload);
            upsert.setLong(6, now);
            upsert.executeUpdate();
          }
          return null;
        });
  }

  /**
   * {@code sink} on this node delivered or dead-lettered the entry: its rows here go. Only this
   * node's: a spool entry does not know its org, and another org's alert may have the same key (a
   * rule's own alert key) on another node, still unsent. A node that came back and finished an
   * alert another node took over leaves that node's row, which goes when it sends it too (twice,
   * with the same key, never a third time).
   */
  public void finished(String sink, String deliveryKey) throws IOException {
    run(
        background,
        "finish spooled alert " + deliveryKey,
        c -> {
          try (PreparedStatement delete =
              c.prepareStatement(
                  "DELETE FROM org_spooled_alert WHERE sink = ? AND delivery_key = ? AND node ="
                      + " ?")) {
            delete.setString(1, sink);
            delete.setString(2, deliveryKey);
            delete.setString(3, node);
            delete.executeUpdate();
          }
          return null;
        });
  }

  /** {@code row} needs sending by nobody (this node's spool finished that alert already). */
  public void forget(Spooled row) throws IOException {
    run(
        background,
        "forget spooled alert " + row.deliveryKey(),
        c -> {
          try (PreparedStatement delete =
              c.prepareStatement(
                  "DELETE FROM org_spooled_alert WHERE org = ? AND sink = ? AND delivery_key = ?"
                      + " AND node = ?")) {
            delete.setString(1, row.org());
            delete.setString(2, row.sink());
            delete.setString(3, row.deliveryKey());
            delete.setString(4, row.node());
            delete.executeUpdate();
          }
          return null;
        });
  }

  /**
   * The org's unfinished alerts spooled on a node not in {@code liveNodes}, oldest first. This
   * node's own rows are among them when it is not listed: its spool dedupes what it still holds.
   */
  public List<Spooled> onNodesGone(String org, Collection<String> liveNodes) throws IOException {
    Set<String> live = Set.copyOf(liveNodes);
    return run(
        background,
        "read spooled alerts of org " + org,
        c -> {
          List<Spooled> rows = new ArrayList<>();
          // Live nodes' rows (payloads included) are not read at all: only what is to be taken.
          try (PreparedStatement query =
              c.prepareStatement(
                  "SELECT sink, delivery_key, node, payload FROM org_spooled_alert WHERE org = ?"
                      + " AND NOT (node = ANY (?)) ORDER BY spooled_at, delivery_key")) {
            query.setString(1, org);
            query.setArray(2, c.createArrayOf("varchar", live.toArray()));
            try (ResultSet r = query.executeQuery()) {
              while (r.next()) {
                if (!live.contains(r.getString(3))) {
                  rows.add(
                      new Spooled(
                          org, r.getString(1), r.getString(2), r.getString(3), r.getString(4)));
                }
              }
            }
          }
          return rows;
        });
  }

  /**
   * This node's spool holds {@code row} now: the row says so, under the org's lease (refused with
   * {@link FencedOffException} when this node lost it). Only while the row is still the one read: a
   * row finished meanwhile stays finished.
   */
  public void takenOver(Spooled row, Fence fence) throws IOException {
    long now = clock.millis();
    try (StateDatabase database = new StateDatabase(settings, row.org(), fence, "spooled alerts")) {
      database.write(
          c -> {
            try (PreparedStatement update =
                c.prepareStatement(
                    "UPDATE org_spooled_alert SET node = ?, spooled_at = ? WHERE org = ? AND sink ="
                        + " ? AND delivery_key = ? AND node = ?")) {
              update.setString(1, node);
              update.setLong(2, now);
              update.setString(3, row.org());
              update.setString(4, row.sink());
              update.setString(5, row.deliveryKey());
              update.setString(6, row.node());
              update.executeUpdate();
            }
            return null;
          });
    }
  }

  /**
   * @throws FencedOffException when another node holds the org's lease now
   */
  public void checkFence(Fence fence) throws IOException {
    try (StateDatabase database =
        new StateDatabase(settings, fence.org(), fence, "spooled alerts")) {
      database.checkFence();
    }
  }

  private <T> T run(
      StoreConnection connection, String what, StoreConnection.Work<T, SQLException> work)
      throws IOException {
    try {
      return connection.run(work);
    } catch (SQLException | RuntimeException e) {
      throw new IOException(
          "store " + settings.describe() + ": node " + node + ": cannot " + what + ": " + e, e);
    }
  }

  @Override
  public void close() {
    recording.close();
    background.close();
  }
}
