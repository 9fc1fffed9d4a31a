package io.leakwatch.store;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/** The store's tables, migrated by Flyway from {@code io/leakwatch/store/migration}. */
final class Schema {
  /** Stores this process brought up to date (an org's state opens once per org, not per run). */
  private static final Set<String> CURRENT = ConcurrentHashMap.newKeySet();

  private Schema() {}

  /**
   * Brings the schema up to date.
   *
   * @throws StoreException when that fails; names the store, never its password
   */
  static void migrate(StoreSettings settings) {
    try {
      Flyway.configure()
          .dataSource(settings.url(), settings.user(), settings.password())
          .locations("classpath:io/leakwatch/store/migration")
          .table("leakwatch_schema_history")
          .load()
          .migrate();
    } catch (FlywayException e) {
      throw new StoreException(
          "store " + settings.describe() + ": schema migration failed: " + e.getMessage(), e);
    }
    CURRENT.add(settings.url());
  }

  /** Migrates unless this process already did for this store. */
  static void migrateOnce(StoreSettings settings) {
    if (!CURRENT.contains(settings.url())) {
      migrate(settings);
    }
  }
}
