package io.leakwatch.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;

/**
 * One JDBC connection to the store, opened on first use and opened again after a failure (a
 * connection that failed may be broken; the next call starts on a new one). The user and password
 * go to the driver only, never into a message. Thread-safe: one caller at a time; a thread that
 * must not wait for another uses a connection of its own.
 */
public final class StoreConnection implements AutoCloseable {
  /**
   * Work done on the connection.
   *
   * @param <X> what the work may throw besides SQL failures: its own refusal (such as {@link
   *     FencedOffException}), which rolls back but keeps the connection
   */
  public interface Work<T, X extends Exception> {
    T run(Connection connection) throws SQLException, X;
  }

  private final StoreSettings settings;
  private final boolean transactions;
  private final Map<String, String> driverOptions;
  private Connection connection;

  private StoreConnection(
      StoreSettings settings, boolean transactions, Map<String, String> driverOptions) {
    this.settings = settings;
    this.transactions = transactions;
    this.driverOptions = Map.copyOf(driverOptions);
  }

  /** Each statement commits on its own. */
  public static StoreConnection autoCommit(StoreSettings settings) {
    return new StoreConnection(settings, false, Map.of());
  }

  /** Each {@link #run} is one transaction: committed when the work returns, else rolled back. */
  public static StoreConnection transactional(StoreSettings settings) {
    return new StoreConnection(settings, true, Map.of());
  }

  /**
   * Driver properties for a connection that holds an org's state or the alert history: a PostgreSQL
   * that stops answering (a dropped idle connection behind a firewall, a vanished host) must fail
   * the call within a minute, where the retry, its log line and {@code /ready} take over, instead
   * of holding the alert worker or the detection thread for the kernel's quarter of an hour. None
   * for the embedded store, whose driver takes no such properties.
   */
  public static Map<String, String> stateTimeouts(StoreSettings settings, String name) {
    if (settings.kind() != StoreSettings.Kind.POSTGRES) {
      return Map.of();
    }
    return Map.of(
        "connectTimeout",
        "10",
        "socketTimeout",
        "60",
        "tcpKeepAlive",
        "true",
        "ApplicationName",
        name,
        // A server error's detail can quote the row it refused (an alert's payload): not into
        // the exception text that reaches the logs.
        "logServerErrorDetail",
        "false");
  }

  /** The same, with these driver properties besides the user and password (timeouts, a name). */
  public StoreConnection withDriverOptions(Map<String, String> options) {
    return new StoreConnection(settings, transactions, options);
  }

  /**
   * Opens the connection now unless it is open.
   *
   * @throws SQLException when the store cannot be reached or refuses the credentials
   */
  public synchronized void connect() throws SQLException {
    if (connection == null) {
      Properties properties = new Properties();
      properties.putAll(driverOptions);
      if (settings.user() != null) {
        properties.setProperty("user", settings.user());
      }
      if (settings.password() != null) {
        properties.setProperty("password", settings.password());
      }
      Connection opened = DriverManager.getConnection(settings.url(), properties);
      if (transactions) {
        opened.setAutoCommit(false);
      }
      connection = opened;
    }
  }

  /**
   * Runs {@code work} on the connection, opening it first if needed. A SQL or unexpected failure
   * closes the connection (the next call opens a new one) and is thrown as it is.
   */
  public synchronized <T, X extends Exception> T run(Work<T, X> work) throws SQLException, X {
    connect();
    Connection c = connection;
    boolean done = false;
    try {
      T result = work.run(c);
      if (transactions) {
        c.commit();
      }
      done = true;
      return result;
    } catch (SQLException | RuntimeException e) {
      rollback(c);
      drop();
      throw e;
    } finally {
      if (!done && connection != null) {
        rollback(c); // the work's own refusal: nothing of it is kept, the connection is
      }
    }
  }

  private void rollback(Connection c) {
    if (!transactions) {
      return;
    }
    try {
      c.rollback();
    } catch (SQLException ignored) {
      drop(); // a broken connection: the next call opens a new one
    }
  }

  private void drop() {
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
    drop();
  }
}
