package io.leakwatch.cluster;

import io.leakwatch.store.AlertStore;
import io.leakwatch.store.StoreSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.util.concurrent.atomic.AtomicInteger;

/** A real PostgreSQL server for the cluster tests, one fresh database (migrated) per call. */
final class ClusterPostgres {
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private ClusterPostgres() {}

  static StoreSettings freshDatabase(EmbeddedPostgres postgres) throws Exception {
    String name = "cluster" + DATABASES.incrementAndGet();
    try (Connection admin = postgres.getPostgresDatabase().getConnection()) {
      admin.createStatement().execute("CREATE DATABASE " + name);
    }
    StoreSettings store =
        StoreSettings.postgres(
            "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + name,
            "postgres",
            "postgres");
    AlertStore.open(store).close(); // creates org_lease
    return store;
  }
}
