package io.leakwatch.config;

import io.leakwatch.binding.ConfigSource;
import io.leakwatch.store.StoreSettings;
import java.nio.file.Path;

/**
 * The {@code store:} mapping, as written: {@code {kind: embedded}} (the default: the alert history
 * in a file in the state folder, each org's checkpoint, ledger and learned state in files in its
 * own state folder) or {@code {kind: postgres, url: jdbc:postgresql://host/db, user: ..., password:
 * ${PGPASSWORD}}} (the alert history and every org's checkpoint, ledger and learned state in
 * PostgreSQL, keyed by org, shared by every node).
 */
record StoreSection(String kind, String url, String user, String password) {
  StoreSettings resolve(ConfigSource file, Path state) {
    String chosen = kind == null ? "embedded" : kind;
    switch (chosen) {
      case "embedded" -> {
        if (url != null || user != null || password != null) {
          throw file.problem("store", "an embedded store takes no url, user or password");
        }
        return StoreSettings.embedded(state);
      }
      case "postgres" -> {
        String jdbc = file.required(url, "store.url");
        if (!jdbc.startsWith("jdbc:postgresql://")) {
          throw file.problem(
              "store.url", "must be a JDBC URL such as jdbc:postgresql://host:5432/leakwatch");
        }
        return StoreSettings.postgres(
            jdbc, file.required(user, "store.user"), file.required(password, "store.password"));
      }
      default ->
          throw file.problem("store.kind", "must be embedded or postgres, was '" + chosen + "'");
    }
  }

  /** Never the password, nor what the URL may carry. */
  @Override
  public String toString() {
    return "store: "
        + (kind == null ? "embedded" : kind)
        + (url == null ? "" : " " + StoreSettings.postgres(url, user, null).describe());
  }
}
