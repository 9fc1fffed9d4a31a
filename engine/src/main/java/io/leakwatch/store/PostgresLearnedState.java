package io.leakwatch.store;

import io.leakwatch.checkpoint.LearnedState;
import io.leakwatch.checkpoint.LearnedStateFile;
import io.leakwatch.checkpoint.LearnedStateJson;
import io.leakwatch.checkpoint.LearnedStateStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * One org's learned state in the shared store (table {@code org_learned_state}): the durable tables
 * and the positions they are consistent with, in one row written in one transaction (the same JSON
 * as {@code learned-state.json}), under the org's lease when a fence is given.
 */
public final class PostgresLearnedState implements LearnedStateStore, AutoCloseable {
  private static final String CURRENT = "current";

  private final StateDatabase database;

  PostgresLearnedState(StateDatabase database) {
    this.database = database;
  }

  @Override
  public LearnedState load() throws LearnedStateFile.UnreadableStateException, IOException {
    String body =
        database.read(
            connection -> {
              try (PreparedStatement query =
                  connection.prepareStatement(
                      "SELECT body FROM org_learned_state WHERE org = ? AND slot = ?")) {
                query.setString(1, database.org());
                query.setString(2, CURRENT);
                try (ResultSet rows = query.executeQuery()) {
                  return rows.next() ? rows.getString(1) : null;
                }
              }
            });
    if (body == null) {
      return null;
    }
    try {
      return LearnedStateJson.read(body.getBytes(StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new LearnedStateFile.UnreadableStateException(
          describe() + ": unreadable learned state: " + e.getMessage());
    }
  }

  @Override
  public void save(LearnedState state) throws IOException {
    String body = new String(LearnedStateJson.write(state), StandardCharsets.UTF_8);
    long now = System.currentTimeMillis();
    database.write(
        connection -> {
          try (PreparedStatement upsert =
              connection.prepareStatement(
                  "INSERT INTO org_learned_state (org, slot, event_time, body, saved_at)"
                      + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (org, slot) DO UPDATE SET"
                      + " event_time = EXCLUDED.event_time, body = EXCLUDED.body,"
                      + " saved_at = EXCLUDED.saved_at")) {
            upsert.setString(1, database.org());
            upsert.setString(2, CURRENT);
            upsert.setLong(3, state.eventTime());
            upsert.setString(4, body);
            upsert.setLong(5, now);
            upsert.executeUpdate();
          }
          return null;
        });
  }

  /** Copies the unreadable row to the slot {@code corrupt-<millis>}, kept for inspection. */
  @Override
  public String keepCopy() throws IOException {
    String slot = "corrupt-" + System.currentTimeMillis();
    database.write(
        connection -> {
          try (PreparedStatement copy =
              connection.prepareStatement(
                  "INSERT INTO org_learned_state (org, slot, event_time, body, saved_at)"
                      + " SELECT org, ?, event_time, body, saved_at FROM org_learned_state"
                      + " WHERE org = ? AND slot = ?")) {
            copy.setString(1, slot);
            copy.setString(2, database.org());
            copy.setString(3, CURRENT);
            copy.executeUpdate();
          }
          return null;
        });
    return "table org_learned_state of "
        + database.store().describe()
        + ", org "
        + database.org()
        + ", slot "
        + slot;
  }

  /** Event time of the saved state, or null when there is none (for tests and inspection). */
  public Long savedEventTime() throws IOException {
    return database.read(
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT event_time FROM org_learned_state WHERE org = ? AND slot = ?")) {
            query.setString(1, database.org());
            query.setString(2, CURRENT);
            try (ResultSet rows = query.executeQuery()) {
              return rows.next() ? rows.getLong(1) : null;
            }
          }
        });
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
