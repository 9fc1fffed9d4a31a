package io.leakwatch.store;

import io.leakwatch.checkpoint.AlertLedger;
import io.leakwatch.checkpoint.Checkpoint;
import io.leakwatch.checkpoint.CheckpointStore;
import io.leakwatch.checkpoint.LearnedState;
import io.leakwatch.checkpoint.LearnedStateFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * Moves one org's state from its state folder (where the embedded store keeps it) into the shared
 * PostgreSQL store, the first time the org starts there: a single node switched to {@code store:
 * postgres} keeps its positions, learned tables and the record of what it delivered, and can then
 * become a cluster.
 *
 * <p>Only when the store holds nothing for the org yet, so a node joining a running cluster never
 * overwrites what the cluster saved. The checkpoint is written last: it marks the import done, and
 * a crash before it repeats the whole import (each step replaces or is idempotent). The files are
 * then moved to {@code imported-to-store/} in the state folder, so switching back to the embedded
 * store cannot silently resume from positions the cluster has long passed.
 */
public final class FolderStateImport {
  static final String IMPORTED = "imported-to-store";

  private FolderStateImport() {}

  /** What was imported, for the start log. */
  public record Imported(int topics, int deliveredAlerts, boolean learnedState, Path movedTo) {
    @Override
    public String toString() {
      return topics
          + " topic positions, "
          + deliveredAlerts
          + " delivered-alert keys"
          + (learnedState ? ", the learned state" : "")
          + "; the files moved to "
          + movedTo;
    }
  }

  /**
   * Imports the files into {@code shared} when the store holds no state for the org and the folder
   * holds some.
   *
   * @return what was imported, or null when there was nothing to import
   * @throws IOException when the folder's state is unreadable (the org does not start: the operator
   *     decides, rather than its positions being lost silently) or the store cannot be written
   * @throws FencedOffException when another node holds the org's lease
   */
  public static Imported ifFirstStart(
      Path checkpointFile, Path ledgerFile, Path learnedStateFile, SharedOrgState shared)
      throws IOException {
    if (!Files.exists(checkpointFile)) {
      return null;
    }
    CheckpointStore.Loaded inStore = shared.checkpoints().loadEach();
    if (!inStore.positions().isEmpty() || !inStore.unreadable().isEmpty()) {
      return null;
    }
    Map<String, Checkpoint> positions;
    try {
      positions = new CheckpointStore(checkpointFile).loadEach().positions();
    } catch (CheckpointStore.CorruptCheckpointException e) {
      throw new IOException(
          "the checkpoint in the state folder cannot be moved into the store: "
              + e.getMessage()
              + " (move it away to start the org from its replay: setting)",
          e);
    }
    List<String> delivered = List.of();
    if (Files.exists(ledgerFile)) {
      try (AlertLedger ledger = new AlertLedger(ledgerFile)) {
        delivered = ledger.deliveredKeys();
      }
    }
    for (String key : delivered) {
      shared.ledger().record(key);
    }
    LearnedState learned = null;
    if (Files.exists(learnedStateFile)) {
      try {
        learned = new LearnedStateFile(learnedStateFile).load();
      } catch (LearnedStateFile.UnreadableStateException e) {
        throw new IOException(
            "the learned state in the state folder cannot be moved into the store: "
                + e.getMessage()
                + " (move it away to start the learned tables empty)",
            e);
      }
      if (learned != null) {
        shared.learnedState().save(learned);
      }
    }
    shared.checkpoints().save(positions);
    Path moved = checkpointFile.toAbsolutePath().getParent().resolve(IMPORTED);
    Files.createDirectories(moved);
    for (Path file : List.of(checkpointFile, ledgerFile, learnedStateFile)) {
      if (Files.exists(file)) {
        Files.move(file, moved.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return new Imported(positions.size(), delivered.size(), learned != null, moved);
  }
}
