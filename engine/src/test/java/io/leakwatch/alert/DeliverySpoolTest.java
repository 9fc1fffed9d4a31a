package io.leakwatch.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool's files after the crashes a process can have: torn lines, a finished entry not yet
 * truncated away.
 */
class DeliverySpoolTest {
  @TempDir Path dir;

  @Test
  void resumesPendingEntriesInOrderAndSkipsFinishedOnes() throws Exception {
    try (DeliverySpool spool = new DeliverySpool(dir)) {
      spool.append("a", "{\"n\":1}");
      spool.append("b", "{\"n\":2}");
      spool.append("c", "{\"n\":3}");
      spool.finishHead();
    }
    try (DeliverySpool spool = new DeliverySpool(dir)) {
      assertEquals(
          List.of("b", "c"),
          spool.pendingEntries().stream().map(DeliverySpool.Entry::key).toList());
      assertEquals("{\"n\":2}", spool.peek().payload());
      assertTrue(spool.contains("a"), "a finished key is still known: it is not taken again");
    }
  }

  @Test
  void aTornLastLineIsDroppedAndTheNextAppendStartsOnAFreshLine() throws Exception {
    try (DeliverySpool spool = new DeliverySpool(dir)) {
      spool.append("a", "{}");
    }
    Files.writeString(
        dir.resolve("pending.jsonl"),
        "{\"key\":\"b\",\"payl",
        java.nio.file.StandardOpenOption.APPEND);
    try (DeliverySpool spool = new DeliverySpool(dir)) {
      assertEquals(
          List.of("a"), spool.pendingEntries().stream().map(DeliverySpool.Entry::key).toList());
      spool.append("b", "{}");
    }
    try (DeliverySpool spool = new DeliverySpool(dir)) {
      assertEquals(
          List.of("a", "b"),
          spool.pendingEntries().stream().map(DeliverySpool.Entry::key).toList());
    }
  }

  @Test
  void anEmptiedQueueTruncatesThePendingFileButRemembersWhatWasDone() throws Exception {
    try (DeliverySpool spool = new DeliverySpool(dir)) {
      spool.append("a", "{}");
      spool.finishHead();
      assertEquals(0, Files.size(dir.resolve("pending.jsonl")));
    }
    try (DeliverySpool spool = new DeliverySpool(dir)) {
      assertEquals(0, spool.size());
      assertTrue(spool.contains("a"));
    }
  }
}
