package io.leakwatch.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.leakwatch.testing.Mounts;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool's files after the crashes a process can have: torn lines, a finished entry not yet
 * truncated away; and after a real full disk (a tmpfs, where the machine lets the test mount).
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
      assertEquals("{\"n\":2}", spool.payload(spool.peek()));
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
      spool.append("b", "{\"n\":2}");
      assertEquals("{\"n\":2}", spool.payload(spool.pendingEntries().get(1)), "past the torn line");
    }
    try (DeliverySpool spool = new DeliverySpool(dir)) {
      assertEquals(
          List.of("a", "b"),
          spool.pendingEntries().stream().map(DeliverySpool.Entry::key).toList());
      assertEquals("{\"n\":2}", spool.payload(spool.pendingEntries().get(1)));
    }
  }

  /**
   * A receiver away for days leaves thousands of alerts pending: their payloads stay in
   * pending.jsonl and are read back one at a time to be sent; only keys and places stay in the
   * heap. Before, every pending payload was held in memory (here 40 MB).
   */
  @Test
  void pendingPayloadsStayOnDiskNotInTheHeap() throws Exception {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    String pad = "x".repeat(50_000);
    try (DeliverySpool spool = new DeliverySpool(dir)) {
      long before = heapAfterGc(memory);
      for (int i = 0; i < 800; i++) {
        spool.append("lw-" + i, "{\"n\":" + i + ",\"pad\":\"" + pad + "\"}");
      }
      long grown = heapAfterGc(memory) - before;
      assertTrue(grown < 10_000_000, "the heap grew by " + grown + " bytes for 40 MB pending");
      assertEquals(800, spool.size());
      spool.finishHead();
      assertTrue(spool.payload(spool.peek()).startsWith("{\"n\":1,"));
    }
    try (DeliverySpool spool = new DeliverySpool(dir)) {
      assertEquals(799, spool.size());
      assertTrue(spool.payload(spool.peek()).startsWith("{\"n\":1,"));
    }
  }

  /**
   * done.txt grew by a line for every alert ever sent, and memory by its key: past twice the number
   * kept it is rewritten with the newest, which still turn an alert offered again away.
   */
  @Test
  void finishedEntriesAreForgottenOldestFirstPastTheNumberKept() throws Exception {
    try (DeliverySpool spool = new DeliverySpool(dir, java.time.Clock.systemUTC(), 10)) {
      for (int i = 0; i < 25; i++) {
        spool.append("lw-" + i, "{}");
        spool.finishHead();
      }
      List<String> done = Files.readAllLines(dir.resolve("done.txt"));
      assertTrue(done.size() <= 20, done.size() + " lines in done.txt");
      assertEquals("lw-24", done.get(done.size() - 1));
      assertTrue(spool.contains("lw-24") && spool.contains("lw-15"));
      assertTrue(!spool.contains("lw-0"), "the oldest are forgotten");
    }
    try (DeliverySpool spool = new DeliverySpool(dir, java.time.Clock.systemUTC(), 10)) {
      assertTrue(spool.contains("lw-15") && !spool.contains("lw-0"));
      spool.append("lw-25", "{\"n\":25}");
      assertEquals("{\"n\":25}", spool.payload(spool.peek()));
    }
  }

  /**
   * A receiver that never lets the queue run empty: pending.jsonl keeps every line, so done.txt
   * must keep every entry finished since, or a restart sends them again (helper-46's finding 1).
   */
  @Test
  void finishedEntriesWhoseLinesArePendingStillAreNeverForgotten() throws Exception {
    try (DeliverySpool spool = new DeliverySpool(dir, java.time.Clock.systemUTC(), 10)) {
      spool.append("lw-0", "{}");
      for (int i = 1; i <= 30; i++) {
        spool.append("lw-" + i, "{}");
        spool.finishHead(); // one always left waiting
      }
      assertEquals(1, spool.size());
    }
    try (DeliverySpool spool = new DeliverySpool(dir, java.time.Clock.systemUTC(), 10)) {
      assertEquals(
          List.of("lw-30"),
          spool.pendingEntries().stream().map(DeliverySpool.Entry::key).toList(),
          "only the entry not yet finished is sent after the restart");
      spool.finishHead(); // the queue runs empty: pending.jsonl is emptied, done.txt may shrink
      for (int i = 31; i <= 60; i++) {
        spool.append("lw-" + i, "{}");
        spool.finishHead();
      }
      assertTrue(Files.readAllLines(dir.resolve("done.txt")).size() <= 20);
    }
    try (DeliverySpool spool = new DeliverySpool(dir, java.time.Clock.systemUTC(), 10)) {
      assertEquals(0, spool.size());
    }
  }

  private static long heapAfterGc(MemoryMXBean memory) {
    System.gc();
    System.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  /** A crash can cut the last line inside a multi-byte character (an ellipsis in a reason). */
  @Test
  void aTornLastLineEndingInsideAMultiByteCharacterIsSkippedAndTheSpoolOpens() throws Exception {
    try (DeliverySpool spool = new DeliverySpool(dir)) {
      spool.append("a", "{\"reasons\":[\"12 user(s): a,b,\u2026\"]}");
    }
    byte[] line =
        "{\"key\":\"b\",\"payload\":\"{\\\"reasons\\\":[\\\"12 user(s): a,\u2026"
            .getBytes(StandardCharsets.UTF_8);
    Files.write(
        dir.resolve("pending.jsonl"),
        Arrays.copyOf(line, line.length - 2), // two of the ellipsis's three bytes missing
        StandardOpenOption.APPEND);
    try (DeliverySpool spool = new DeliverySpool(dir)) {
      assertEquals(
          List.of("a"), spool.pendingEntries().stream().map(DeliverySpool.Entry::key).toList());
      assertEquals("{\"reasons\":[\"12 user(s): a,b,\u2026\"]}", spool.payload(spool.peek()));
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

  /**
   * A full disk can take part of a line. The engine then offers the alert again (the spool never
   * took it); once there is room the whole line must stand alone, so that a restart still finds the
   * alert pending: the engine's ledger already counts it delivered and will not offer it again.
   */
  @Test
  void anAppendCutShortByAFullDiskLeavesNoPartLineAndTheRetriedEntrySurvivesARestart()
      throws Exception {
    assumeTrue(Mounts.available(dir), "this machine does not let the test mount a tmpfs");
    Path small = Files.createDirectories(dir.resolve("small"));
    try (Mounts mounts = new Mounts()) {
      mounts.tmpfs(small, 64 * 1024);
      Path spoolDir = small.resolve("spool");
      String payload = "{\"pad\":\"" + "x".repeat(6000) + "\"}"; // more than a page
      List<String> taken = new ArrayList<>();
      String refused = null;
      try (DeliverySpool spool = new DeliverySpool(spoolDir)) {
        spool.append("first", "{}");
        taken.add("first");
        fill(small.resolve("filler"));
        for (int i = 0; refused == null; i++) {
          assertTrue(i < 100, "the disk never filled");
          String key = "k" + i;
          try {
            spool.append(key, payload);
            taken.add(key);
          } catch (IOException full) {
            refused = key;
          }
        }
        assertTrue(!spool.contains(refused), "a refused append is not taken");
        Files.delete(small.resolve("filler"));
        spool.append(refused, payload); // the engine's retry, once there is room
        taken.add(refused);
      }
      for (String line : Files.readAllLines(spoolDir.resolve("pending.jsonl"))) {
        assertTrue(
            line.startsWith("{\"key\":") && line.endsWith("}"),
            "a part line was left in pending.jsonl: "
                + line.substring(0, Math.min(60, line.length())));
      }
      try (DeliverySpool spool = new DeliverySpool(spoolDir)) {
        assertEquals(taken, spool.pendingEntries().stream().map(DeliverySpool.Entry::key).toList());
      }
    }
  }

  private static void fill(Path filler) {
    byte[] block = new byte[1024];
    try (var out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(block);
        out.flush();
      }
    } catch (IOException full) {
      assertTrue(String.valueOf(full.getMessage()).contains("space"), full.toString());
    }
  }
}
