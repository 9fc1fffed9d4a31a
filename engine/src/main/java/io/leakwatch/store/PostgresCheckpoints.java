package io.leakwatch.store;

import io.leakwatch.checkpoint.Checkpoint;
import io.leakwatch.checkpoint.CheckpointStore;
import io.leakwatch.checkpoint.Checkpoints;
import io.leakwatch.pubsub.ReplayId;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One org's checkpoint in the shared store (table {@code org_checkpoint}): a row per topic, the
 * whole set replaced in one transaction, under the org's lease when a fence is given.
 */
public final class PostgresCheckpoints implements Checkpoints, AutoCloseable {
  private final StateDatabase database;

  PostgresCheckpoints(StateDatabase database) {
    this.database = database;
  }

  @Override
  public CheckpointStore.Loaded loadEach() throws IOException {
    return database.read(
        connection -> {
          Map<String, Checkpoint> positions = new LinkedHashMap<>();
          Map<String, String> unreadable = new LinkedHashMap<>();
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT topic, resume_after, resume_event_time, last_processed, last_event_time"
                      + " FROM org_checkpoint WHERE org = ? ORDER BY topic")) {
            query.setString(1, database.org());
            try (ResultSet rows = query.executeQuery()) {
              while (rows.next()) {
                String topic = rows.getString(1);
                try {
                  positions.put(
                      topic,
                      new Checkpoint(
                          topic,
                          replayId(rows.getString(2)),
                          rows.getLong(3),
                          replayId(rows.getString(4)),
                          rows.getLong(5)));
                } catch (IllegalArgumentException e) {
                  unreadable.put(topic, "a replay id is not hex: " + e.getMessage());
                }
              }
            }
          }
          return new CheckpointStore.Loaded(positions, unreadable);
        });
  }

  private static ReplayId replayId(String hex) {
    return hex == null ? null : ReplayId.fromHex(hex);
  }

  @Override
  public void save(Map<String, Checkpoint> checkpoints) throws IOException {
    long now = System.currentTimeMillis();
    database.write(
        connection -> {
          try (PreparedStatement delete =
              connection.prepareStatement("DELETE FROM org_checkpoint WHERE org = ?")) {
            delete.setString(1, database.org());
            delete.executeUpdate();
          }
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO org_checkpoint (org, topic, resume_after, resume_event_time,"
                      + " last_processed, last_event_time, saved_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (Checkpoint c : checkpoints.values()) {
              insert.setString(1, database.org());
              insert.setString(2, c.topic());
              insert.setString(3, c.resumeAfter() == null ? null : c.resumeAfter().toHex());
              insert.setLong(4, c.resumeEventTime());
              insert.setString(5, c.lastProcessed() == null ? null : c.lastProcessed().toHex());
              insert.setLong(6, c.lastEventTime());
              insert.setLong(7, now);
              insert.addBatch();
            }
            insert.executeBatch();
          }
          return null;
        });
  }

  /** Throws {@link FencedOffException} when the fence (if any) no longer holds. */
  void checkFence() throws IOException {
    database.checkFence();
  }

  /** The rows stay where they are (the unreadable ones are replaced by the next save). */
  @Override
  public String keepCopy() {
    return "table org_checkpoint of "
        + database.store().describe()
        + " (left as it was until the next save)";
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
