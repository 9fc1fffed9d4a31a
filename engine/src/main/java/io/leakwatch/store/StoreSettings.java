package io.leakwatch.store;

import java.nio.file.Path;

/**
 * Where Leakwatch keeps what must outlive the process and be shared: by default an embedded
 * database file in the state folder (no setup), or a PostgreSQL server every node uses.
 *
 * @param url the JDBC URL
 * @param user null for the embedded store
 * @param password null for the embedded store; never printed
 */
public record StoreSettings(Kind kind, String url, String user, String password) {
  public enum Kind {
    EMBEDDED,
    POSTGRES
  }

  /** The embedded store: one file, {@code leakwatch-store.mv.db}, in {@code stateDir}. */
  public static StoreSettings embedded(Path stateDir) {
    String file = stateDir.toAbsolutePath().resolve("leakwatch-store").toString();
    // PostgreSQL mode: the migrations and queries are written once, for both stores.
    return new StoreSettings(
        Kind.EMBEDDED,
        "jdbc:h2:file:" + file + ";MODE=PostgreSQL;DB_CLOSE_ON_EXIT=FALSE",
        null,
        null);
  }

  /** An embedded store that lives only as long as the process (tests, one-off commands). */
  public static StoreSettings inMemory(String name) {
    return new StoreSettings(
        Kind.EMBEDDED, "jdbc:h2:mem:" + name + ";MODE=PostgreSQL;DB_CLOSE_DELAY=-1", null, null);
  }

  public static StoreSettings postgres(String url, String user, String password) {
    return new StoreSettings(Kind.POSTGRES, url, user, password);
  }

  /** The embedded store's database file, or null for an in-memory or PostgreSQL store. */
  public Path embeddedFile() {
    if (kind != Kind.EMBEDDED || !url.startsWith("jdbc:h2:file:")) {
      return null;
    }
    return Path.of(url.substring("jdbc:h2:file:".length()).replaceFirst(";.*", "") + ".mv.db");
  }

  /** For logs and {@code config check}: the kind and where, never the password. */
  public String describe() {
    return switch (kind) {
      case EMBEDDED ->
          "embedded (" + url.replaceFirst(";.*", "").replaceFirst("^jdbc:h2:", "") + ")";
      case POSTGRES -> "postgres " + withoutSecrets(url) + (user == null ? "" : " as " + user);
    };
  }

  /**
   * The URL without what may be a secret: a user and password before the host, and the values of
   * its parameters ({@code password=}, {@code sslpassword=} for a client key: the driver takes them
   * only there). Their names stay, so an operator still sees which were given.
   */
  static String withoutSecrets(String url) {
    String out = url.replaceFirst("^(jdbc:postgresql://)[^/?#]*@", "$1");
    int query = out.indexOf('?');
    if (query < 0) {
      return out;
    }
    StringBuilder names = new StringBuilder();
    for (String parameter : out.substring(query + 1).split("&")) {
      if (parameter.isEmpty()) {
        continue;
      }
      int equals = parameter.indexOf('=');
      names
          .append(names.length() == 0 ? "" : ", ")
          .append(equals < 0 ? parameter : parameter.substring(0, equals));
    }
    return out.substring(0, query) + " (parameters " + names + ": values not shown)";
  }

  /** What this store holds, for {@code config check} and start-up. */
  public String holds() {
    return switch (kind) {
      case EMBEDDED ->
          "alert history; each org's checkpoint, alert ledger and learned state are files in its"
              + " state folder";
      case POSTGRES ->
          "alert history, and each org's checkpoint, alert ledger and learned state, shared by"
              + " every node";
    };
  }

  @Override
  public String toString() {
    return describe();
  }
}
