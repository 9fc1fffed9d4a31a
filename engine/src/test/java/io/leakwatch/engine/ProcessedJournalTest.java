package io.leakwatch.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.checkpoint.DurableFile;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal is how an investigator proves no event was skipped: a new one, and a new folder for
 * it, are made to exist durably, not only the bytes forced into it.
 */
class ProcessedJournalTest {
  @TempDir Path dir;

  @Test
  void aNewJournalForcesTheFoldersItIsCreatedIn() throws Exception {
    List<Path> forced = new CopyOnWriteArrayList<>();
    DurableFile.onFolderForced(forced::add);
    try (ProcessedJournal journal = new ProcessedJournal(dir.resolve("journal/processed.txt"))) {
      assertTrue(forced.contains(dir.toAbsolutePath()), "the new folder in its parent: " + forced);
      assertTrue(
          forced.contains(dir.resolve("journal").toAbsolutePath()), "the new file: " + forced);
    } finally {
      DurableFile.onFolderForced(null);
    }
  }
}
