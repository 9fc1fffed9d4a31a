package io.leakwatch.store;

import io.leakwatch.alert.AlertJson;
import io.leakwatch.alert.AlertRefusedException;
import io.leakwatch.decision.Alert;
import io.leakwatch.rulepack.Severity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The alert history in a database: every delivered alert revision with the org that raised it,
 * queried through indexes by org, rule, severity, principal and time, a page at a time. The schema
 * is migrated by Flyway at open ({@code io/leakwatch/store/migration}); the same migrations and
 * queries serve the embedded store and PostgreSQL.
 *
 * <p>Thread-safe: one connection, used by one caller at a time, opened again after a failure.
 */
public final class AlertStore implements AutoCloseable {
  /** A stored alert and where it sits in the newest-first order. */
  public record Stored(long seq, String org, Alert alert) {}

  /** Where the previous page stopped: the last entry's detection time and sequence number. */
  public record Position(long detectedAt, long seq) {}

  /**
   * What to read. Every filter may be null; {@code minSeverity} is a minimum, times filter on when
   * the alert was detected ({@code from} inclusive, {@code to} exclusive).
   */
  public record Filter(
      Long fromMillis,
      Long toMillis,
      Severity minSeverity,
      String rule,
      String principal,
      String org,
      int limit,
      Position after) {}

  private final StoreSettings settings;
  private final StoreConnection connection;

  private AlertStore(StoreSettings settings) {
    this.settings = settings;
    this.connection =
        StoreConnection.autoCommit(settings)
            .withDriverOptions(StoreConnection.stateTimeouts(settings, "leakwatch-alerts"));
  }

  /**
   * Opens the store and brings its schema up to date.
   *
   * @throws StoreException when the database cannot be reached or migrated; the message names the
   *     store, never its password
   */
  public static AlertStore open(StoreSettings settings) {
    Schema.migrate(settings);
    AlertStore store = new AlertStore(settings);
    try {
      store.connection.connect();
    } catch (SQLException e) {
      throw new StoreException("store " + settings.describe() + ": " + e.getMessage(), e);
    }
    return store;
  }

  /**
   * Opens the store; an embedded store file that does not open (damaged by a crash mid-write) is
   * moved aside, named in {@code warn}, and a new one is started: the history is a copy of alerts
   * the sinks already have, and a monitor that refuses to start over it would go blind. A
   * PostgreSQL store that does not open is an error, as in {@link #open}.
   */
  public static AlertStore openRecovering(StoreSettings settings, Consumer<String> warn) {
    try {
      return open(settings);
    } catch (StoreException e) {
      Path file = settings.embeddedFile();
      if (file == null || !Files.exists(file)) {
        throw e;
      }
      Path aside =
          file.resolveSibling(file.getFileName() + ".corrupt-" + System.currentTimeMillis());
      try {
        Files.move(file, aside);
      } catch (IOException moveFailed) {
        e.addSuppressed(moveFailed);
        throw e;
      }
      warn.accept(
          "the alert history store "
              + file
              + " did not open ("
              + e.getMessage()
              + "); it was moved to "
              + aside
              + " and a new, empty history was started (alerts already delivered are in the sinks)");
      return open(settings);
    }
  }

  public StoreSettings settings() {
    return settings;
  }

  /**
   * Records one delivered revision of an alert; recording the same revision for the same org again
   * (a redelivery after a restart) changes nothing.
   *
   * @throws AlertRefusedException when the database refuses the alert's data for good (a value
   *     longer than its column, a character it cannot store): recording it again would fail the
   *     same way. The message names the alert and the SQL state, never a value (H2 quotes the
   *     refused value in its own message, so that message is not passed on).
   * @throws IOException when the store cannot take it now (unreachable, failing): try again
   */
  public synchronized void record(String org, Alert alert) throws IOException {
    String sql =
        "INSERT INTO alert_history (delivery_key, org, alert_id, revision, rule_id, severity_rank,"
            + " principal, detected_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    String refused;
    try {
      refused =
          connection.run(
              c -> {
                try (PreparedStatement insert = c.prepareStatement(sql)) {
                  insert.setString(1, alert.deliveryKey());
                  insert.setString(2, org);
                  insert.setString(3, alert.id());
                  insert.setInt(4, alert.revision());
                  insert.setString(5, alert.ruleId());
                  insert.setInt(6, alert.severity().ordinal());
                  insert.setString(7, alert.principal());
                  insert.setLong(8, alert.detectedAt());
                  insert.setString(9, AlertJson.toJson(alert));
                  insert.executeUpdate();
                } catch (SQLException e) {
                  if ("23505".equals(e.getSQLState())) {
                    // Already recorded: unique (org, delivery_key); the connection is fine.
                    return null;
                  }
                  if (refusedForGood(e)) {
                    return e.getSQLState(); // the statement failed, the connection is fine
                  }
                  throw e;
                }
                return null;
              });
    } catch (SQLException e) {
      throw new IOException(
          "store "
              + settings.describe()
              + ": alert "
              + alert.deliveryKey()
              + " not recorded: "
              + e.getMessage(),
          e);
    }
    if (refused != null) {
      throw new AlertRefusedException(
          "store "
              + settings.describe()
              + ": alert "
              + alert.deliveryKey()
              + " of org "
              + org
              + " can never be recorded in the alert history (/alerts will not list it): the"
              + " database refuses its data"
              + " (SQL state "
              + refused
              + "; principal of "
              + length(alert.principal())
              + " characters, rule id of "
              + length(alert.ruleId())
              + ")");
    }
  }

  /**
   * Whether the database refused the row itself, so the same row fails the same way every time:
   * data exceptions (class 22: a value too long for its column, a character the encoding cannot
   * hold), integrity violations other than the duplicate the caller expects (class 23), and program
   * limits (class 54: an index entry too large). Connection, resource and transaction failures are
   * not: they may clear.
   */
  static boolean refusedForGood(SQLException e) {
    String state = e.getSQLState();
    return state != null
        && (state.startsWith("22") || state.startsWith("23") || state.startsWith("54"));
  }

  private static int length(String value) {
    return value == null ? 0 : value.length();
  }

  /** Up to {@code filter.limit()} alerts, newest first, after {@code filter.after()}. */
  public synchronized List<Stored> page(Filter filter) throws IOException {
    StringBuilder sql = new StringBuilder("SELECT seq, org, body FROM alert_history WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    if (filter.fromMillis() != null) {
      sql.append(" AND detected_at >= ?");
      args.add(filter.fromMillis());
    }
    if (filter.toMillis() != null) {
      sql.append(" AND detected_at < ?");
      args.add(filter.toMillis());
    }
    if (filter.minSeverity() != null) {
      sql.append(" AND severity_rank >= ?");
      args.add(filter.minSeverity().ordinal());
    }
    if (filter.rule() != null) {
      sql.append(" AND rule_id = ?");
      args.add(filter.rule());
    }
    if (filter.principal() != null) {
      sql.append(" AND principal = ?");
      args.add(filter.principal());
    }
    if (filter.org() != null) {
      sql.append(" AND org = ?");
      args.add(filter.org());
    }
    if (filter.after() != null) {
      sql.append(" AND (detected_at < ? OR (detected_at = ? AND seq < ?))");
      args.add(filter.after().detectedAt());
      args.add(filter.after().detectedAt());
      args.add(filter.after().seq());
    }
    sql.append(" ORDER BY detected_at DESC, seq DESC LIMIT ?");
    args.add(filter.limit());
    try {
      return connection.run(
          c -> {
            try (PreparedStatement query = c.prepareStatement(sql.toString())) {
              for (int i = 0; i < args.size(); i++) {
                query.setObject(i + 1, args.get(i));
              }
              List<Stored> out = new ArrayList<>();
              try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                  out.add(
                      new Stored(
                          rows.getLong(1),
                          rows.getString(2),
                          AlertJson.fromJson(rows.getString(3))));
                }
              }
              return out;
            }
          });
    } catch (SQLException e) {
      throw new IOException(
          "store " + settings.describe() + ": query failed: " + e.getMessage(), e);
    }
  }

  /** How many alert revisions the store holds for {@code org} (all orgs when null). */
  public synchronized long count(String org) throws IOException {
    String sql = "SELECT COUNT(*) FROM alert_history" + (org == null ? "" : " WHERE org = ?");
    try {
      return connection.run(
          c -> {
            try (PreparedStatement query = c.prepareStatement(sql)) {
              if (org != null) {
                query.setString(1, org);
              }
              try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
              }
            }
          });
    } catch (SQLException e) {
      throw new IOException(
          "store " + settings.describe() + ": count failed: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    connection.close();
  }
}
