package io.leakwatch.store;

import io.leakwatch.checkpoint.AlertLedger;
import io.leakwatch.checkpoint.DeliveryLedger;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;

/**
 * One org's delivered-alert ledger in the shared store (table {@code org_delivered_alert}), so an
 * alert is delivered once across every node that ever processes the org.
 *
 * <p>Why claim before delivering and mark delivered after: the claim is a fenced write, so a node
 * that lost the org's lease (paused, cut off) is refused before its sinks see the alert, and the
 * new owner is the only one that delivers; recording only after delivery (as a single node's file
 * does) would let the stale node deliver first and be refused only afterwards, a duplicate every
 * time. A crash between the claim and the mark leaves the row claimed: the next owner replays the
 * events (the checkpoint never moves past an undelivered alert), finds the claim, and delivers it
 * again, because it cannot know whether the sinks took it. So a crash in that moment may deliver an
 * alert twice, with the same delivery key for the receiver to recognise, and never loses one: for a
 * security monitor a lost alert is the worse failure.
 *
 * <p>Rows of alerts delivered more than {@link AlertLedger#KEEP} ago are deleted, at most once an
 * hour, in the write that marks an alert delivered (so only the org's owner trims): the table does
 * not grow with every alert ever sent, and an alert that old is not replayed (a checkpoint never
 * stays that far behind). Claimed rows never marked delivered are kept whatever their age.
 */
public final class PostgresLedger implements DeliveryLedger {
  private static final long TRIM_EVERY_MILLIS = Duration.ofHours(1).toMillis();

  private final StateDatabase database;
  private final Clock clock;
  private final Duration keep;
  private volatile long nextTrimAt; // 0: at the first delivery

  PostgresLedger(StateDatabase database) {
    this(database, Clock.systemUTC(), AlertLedger.KEEP);
  }

  PostgresLedger(StateDatabase database, Clock clock, Duration keep) {
    this.database = database;
    this.clock = clock;
    this.keep = keep;
  }

  @Override
  public boolean claim(String deliveryKey) throws IOException {
    long now = clock.millis();
    return database.write(
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO org_delivered_alert (org, delivery_key, delivered, claimed_at)"
                      + " VALUES (?, ?, FALSE, ?) ON CONFLICT (org, delivery_key) DO NOTHING")) {
            insert.setString(1, database.org());
            insert.setString(2, deliveryKey);
            insert.setLong(3, now);
            if (insert.executeUpdate() == 1) {
              return true; // claimed now
            }
          }
          // Claimed before and never marked delivered: a crash or a lost lease in between.
          return !delivered(connection, deliveryKey);
        });
  }

  @Override
  public void record(String deliveryKey) throws IOException {
    long now = clock.millis();
    boolean trim = now >= nextTrimAt;
    database.write(
        connection -> {
          try (PreparedStatement upsert =
              connection.prepareStatement(
                  "INSERT INTO org_delivered_alert (org, delivery_key, delivered, claimed_at,"
                      + " delivered_at) VALUES (?, ?, TRUE, ?, ?) ON CONFLICT (org, delivery_key)"
                      + " DO UPDATE SET delivered = TRUE, delivered_at = EXCLUDED.delivered_at")) {
            upsert.setString(1, database.org());
            upsert.setString(2, deliveryKey);
            upsert.setLong(3, now);
            upsert.setLong(4, now);
            upsert.executeUpdate();
          }
          if (trim) {
            try (PreparedStatement delete =
                connection.prepareStatement(
                    "DELETE FROM org_delivered_alert WHERE org = ? AND delivered"
                        + " AND delivered_at < ?")) {
              delete.setString(1, database.org());
              delete.setLong(2, now - keep.toMillis());
              delete.executeUpdate();
            }
          }
          return null;
        });
    if (trim) {
      nextTrimAt = now + TRIM_EVERY_MILLIS;
    }
  }

  /** Whether the ledger holds {@code deliveryKey} as delivered (for tests and inspection). */
  public boolean delivered(String deliveryKey) throws IOException {
    return database.read(connection -> delivered(connection, deliveryKey));
  }

  private boolean delivered(Connection connection, String deliveryKey) throws SQLException {
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT delivered FROM org_delivered_alert WHERE org = ? AND delivery_key = ?")) {
      query.setString(1, database.org());
      query.setString(2, deliveryKey);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next() && rows.getBoolean(1);
      }
    }
  }

  @Override
  public String describe() {
    return database.describe();
  }

  @Override
  public void close() {
    database.close();
  }
}
