package io.leakwatch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.leakwatch.alert.AlertJson;
import io.leakwatch.alert.AlertSink;
import io.leakwatch.alert.JsonLinesAlertSink;
import io.leakwatch.checkpoint.AlertLedger;
import io.leakwatch.checkpoint.Checkpoint;
import io.leakwatch.checkpoint.CheckpointStore;
import io.leakwatch.decision.Alert;
import io.leakwatch.pubsub.ReplayId;
import io.leakwatch.testing.Await;
import io.leakwatch.testing.Mounts;
import io.leakwatch.testing.UnwritableFolder;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An alert counts as delivered only once it is durable where the operator pointed the sink, and a
 * position is answered (its stream's credit returned) only once it is saved. Real files, real
 * folders removed, a real full disk and a real read-only folder (mounts, where the machine allows;
 * else a real write failure and a simulated full disk, so the behaviour is proved on every
 * machine).
 */
@Tag("faults")
class AlertDurabilityTest {
  private static final String TOPIC = "/event/ApiEventStream";

  @TempDir Path dir;
  private Vertx vertx;
  private AlertVerticle verticle;
  private CheckpointStore store;
  private AlertLedger ledger;
  private final Mounts mounts = new Mounts();

  @AfterEach
  void close() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    mounts.close();
  }

  private void deploy(Path alerts, Path state) throws Exception {
    deploy(new JsonLinesAlertSink(alerts), state);
  }

  private void deploy(AlertSink sink, Path state) throws Exception {
    store = new CheckpointStore(state.resolve("checkpoint.json"));
    ledger = new AlertLedger(state.resolve("delivered-alerts.txt"));
    vertx = Vertx.vertx();
    Messages.registerCodecs(vertx);
    verticle = new AlertVerticle(List.of(sink), ledger, store, Map.of());
    vertx
        .deployVerticle(verticle, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  @Test
  void alertsWaitWhileTheAlertsFolderIsGoneAndLandInItOnceItIsBack() throws Exception {
    Path folder = dir.resolve("alerts");
    Path file = folder.resolve("alerts.jsonl");
    deploy(file, dir.resolve("state"));
    commit("lw-before", 1).get(30, TimeUnit.SECONDS);

    deleteTree(folder);
    CompletableFuture<?> second = commit("lw-gone", 2);
    await(() -> verticle.deliveryStalledSince() != 0, "delivery to stall");
    assertFalse(second.isDone(), "the position behind the undelivered alert is not committed");
    assertFalse(ledger.contains("lw-gone"), "not recorded as delivered");
    assertEquals(position(1), store.load().get(TOPIC), "the checkpoint stays where it was");

    Files.createDirectories(folder);
    second.get(30, TimeUnit.SECONDS);
    assertEquals(List.of("lw-gone"), ids(file), "delivered into the folder once it is back");
    flush();
    assertEquals(position(2), store.load().get(TOPIC));
    assertEquals(0, verticle.deliveryStalledSince(), "recovered");
  }

  @Test
  void anAlertsFileRemovedUnderTheSinkIsStartedAgainAtItsPath() throws Exception {
    Path file = dir.resolve("alerts/alerts.jsonl");
    deploy(file, dir.resolve("state"));
    commit("lw-first", 1).get(30, TimeUnit.SECONDS);
    Files.delete(file);
    commit("lw-second", 2).get(30, TimeUnit.SECONDS);
    assertEquals(List.of("lw-second"), ids(file), "written where the operator looks");
  }

  @Test
  void aFullDiskStopsDeliveryWithoutATornLineAndItResumesOnceThereIsRoom() throws Exception {
    assumeTrue(Mounts.available(dir), "this machine does not let the test mount a tmpfs");
    Path folder = Files.createDirectories(dir.resolve("small"));
    mounts.tmpfs(folder, 64 * 1024);
    Path file = folder.resolve("alerts.jsonl");
    deploy(file, dir.resolve("state"));
    commit("lw-room", 1).get(30, TimeUnit.SECONDS);
    Path filler = folder.resolve("filler");
    fill(filler);

    // The file's last page may still have room: alerts go on until one does not fit.
    List<String> sent = new java.util.ArrayList<>(List.of("lw-room"));
    CompletableFuture<?> stuck = null;
    for (int i = 2; stuck == null; i++) {
      assertTrue(i < 200, "the disk never filled");
      sent.add("lw-full-" + i);
      CompletableFuture<?> next = commit("lw-full-" + i, i);
      await(() -> next.isDone() || verticle.deliveryStalledSince() != 0, "commit or stall");
      if (!next.isDone()) {
        stuck = next;
      }
    }
    String waiting = sent.get(sent.size() - 1);
    assertFalse(ledger.contains(waiting), "not recorded as delivered");
    assertFalse(stuck.isDone(), "no credit while the alert is not on disk");

    Files.delete(filler);
    stuck.get(30, TimeUnit.SECONDS);
    assertEquals(sent, ids(file), "whole lines, each once, nothing lost");
    assertTrue(ledger.contains(waiting));
  }

  /**
   * The same fault on every machine, mount or not: the disk is full (the sink's write throws the
   * file system's {@code IOException}) for several retries, then has room again.
   */
  @Test
  void aWriteFailingForLackOfSpaceHoldsCreditIsSaidOnceAndResumesWithoutLossOrDuplicate()
      throws Exception {
    Path file = dir.resolve("alerts/alerts.jsonl");
    FullDisk sink = new FullDisk(new JsonLinesAlertSink(file));
    // The engine's tests log through slf4j-simple, to System.err: read what it says there.
    PrintStream err = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    System.setErr(new PrintStream(new Tee(err, log), true));
    try {
      deploy(sink, dir.resolve("state"));
      commit("lw-room", 1).get(30, TimeUnit.SECONDS);

      sink.full = true;
      CompletableFuture<?> stuck = commit("lw-full", 2);
      CompletableFuture<?> behind = commit("lw-behind", 3);
      await(() -> sink.refused.get() >= 4, "four refused writes");
      assertFalse(stuck.isDone(), "no credit while the alert is not on disk");
      assertFalse(behind.isDone(), "nothing behind it either");
      assertFalse(ledger.contains("lw-full"), "not recorded as delivered");
      assertEquals(position(1), store.load().get(TOPIC), "the checkpoint stays where it was");
      long said = said(log, "could not be delivered");

      sink.full = false;
      behind.get(30, TimeUnit.SECONDS);
      flush();
      System.out.printf(
          "fault disk-full (simulated IOException): %d refused writes, said %d time(s);"
              + " resumed once there was room%n",
          sink.refused.get(), said);
      assertEquals(1, said, "said once, then at a bounded rate (once a minute)");
      assertEquals(List.of("lw-room", "lw-full", "lw-behind"), ids(file), "each once, in order");
      assertEquals(position(3), store.load().get(TOPIC));
      assertEquals(0, verticle.deliveryStalledSince(), "recovered");
    } finally {
      System.setErr(err);
    }
  }

  private static long said(ByteArrayOutputStream log, String what) {
    synchronized (log) {
      return log.toString().lines().filter(l -> l.contains("ERROR") && l.contains(what)).count();
    }
  }

  /** Writes to both streams. */
  private static final class Tee extends java.io.OutputStream {
    private final java.io.OutputStream first;
    private final ByteArrayOutputStream second;

    Tee(java.io.OutputStream first, ByteArrayOutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public void write(int b) throws IOException {
      first.write(b);
      synchronized (second) {
        second.write(b);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      first.write(b, off, len);
      synchronized (second) {
        second.write(b, off, len);
      }
    }
  }

  /** A sink on a disk that has no room while {@link #full} is set. */
  private static final class FullDisk implements AlertSink {
    private final AlertSink real;
    private final AtomicInteger refused = new AtomicInteger();
    private volatile boolean full;

    FullDisk(AlertSink real) {
      this.real = real;
    }

    @Override
    public void accept(Alert alert) throws IOException {
      if (full) {
        refused.incrementAndGet();
        throw new IOException("No space left on device");
      }
      real.accept(alert);
    }

    @Override
    public void close() throws IOException {
      real.close();
    }
  }

  @Test
  void aReadOnlyStateFolderWithholdsCreditAndSaysSoUntilItIsWritableAgain() throws Exception {
    Path state = Files.createDirectories(dir.resolve("state"));
    deploy(dir.resolve("alerts.jsonl"), state);
    commit("lw-a", 1).get(30, TimeUnit.SECONDS);
    flush(); // while saves succeed a position is answered before it is saved: save it now

    UnwritableFolder readOnly = UnwritableFolder.make(state, "checkpoint.json.tmp");
    commit("lw-b", 2);
    await(
        () -> verticle.checkpointFailingSince() != 0, "the save to fail (" + readOnly.how() + ")");
    CompletableFuture<?> second = commit("lw-c", 3);
    Thread.sleep(500); // several save attempts: none may answer the position
    assertFalse(second.isDone(), "while saves fail, credit comes back only once saved");
    assertEquals(position(1), store.load().get(TOPIC));

    readOnly.close();
    second.get(30, TimeUnit.SECONDS);
    assertEquals(position(3), store.load().get(TOPIC));
    assertEquals(0, verticle.checkpointFailingSince());
  }

  /** Answered once everything before it is handled and positions are saved. */
  private void flush() throws Exception {
    vertx
        .eventBus()
        .request(Messages.ALERTS_FLUSH, "flush")
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  /** Publishes an alert and, behind it, a position; returns the position's answer. */
  private CompletableFuture<?> commit(String alertId, int replay) throws Exception {
    vertx.eventBus().publish(Messages.ALERTS, alert(alertId));
    return vertx
        .eventBus()
        .request(Messages.CHECKPOINT, position(replay))
        .toCompletionStage()
        .toCompletableFuture();
  }

  private static Checkpoint position(int replay) {
    ReplayId id = ReplayId.fromHex("%016x".formatted(replay));
    return new Checkpoint(TOPIC, id, replay, id, replay);
  }

  private static Alert alert(String id) throws Exception {
    return AlertJson.fromJson(
        """
        {"id":"%s","ruleId":"LW-001","title":"t","severity":"high","principal":"005A","count":1,"objects":"Contact",
         "firstEventTime":"2026-03-10T10:00:00Z","lastEventTime":"2026-03-10T10:00:00Z","detectedAt":"2026-03-10T10:00:00Z",
         "evidence":[],"reasons":[],"decidedBy":[],"attack":[],"controls":{},"drill":false,"revision":1}"""
            .formatted(id));
  }

  private static List<String> ids(Path file) throws Exception {
    return Files.readAllLines(file).stream().map(AlertDurabilityTest::id).toList();
  }

  private static String id(String line) {
    try {
      return AlertJson.fromJson(line).id();
    } catch (Exception e) {
      throw new AssertionError("not a whole alert line: " + line, e);
    }
  }

  private static void fill(Path filler) throws Exception {
    byte[] block = new byte[1024];
    try (var out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(block);
        out.flush();
      }
    } catch (java.io.IOException full) {
      assertTrue(String.valueOf(full.getMessage()).contains("space"), full.toString());
    }
  }

  private static void deleteTree(Path root) throws Exception {
    try (var files = Files.walk(root)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    assertNotEquals(true, Files.exists(root));
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    Await.until(condition, what, Duration.ofSeconds(30));
  }
}
