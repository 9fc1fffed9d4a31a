package io.leakwatch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.alert.AlertJson;
import io.leakwatch.alert.AlertSink;
import io.leakwatch.checkpoint.AlertLedger;
import io.leakwatch.checkpoint.Checkpoint;
import io.leakwatch.checkpoint.CheckpointStore;
import io.leakwatch.decision.Alert;
import io.leakwatch.pubsub.ReplayId;
import io.leakwatch.testing.Await;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sink that fails holds delivery and the checkpoint back until it takes the alert; nothing is
 * skipped.
 */
class AlertVerticleTest {
  private static final Checkpoint POSITION =
      new Checkpoint("/event/ApiEventStream", null, 0, ReplayId.fromHex("00000000000000ff"), 1L);

  @TempDir Path dir;
  private final FlakySink sink = new FlakySink();
  private CheckpointStore store;
  private AlertLedger ledger;
  private Vertx vertx;
  private AlertVerticle verticle;

  /** Refuses alerts (as a full disk would) until told to accept them. */
  private static final class FlakySink implements AlertSink {
    final AtomicBoolean broken = new AtomicBoolean(true);
    final AtomicInteger attempts = new AtomicInteger();
    final List<String> accepted = new CopyOnWriteArrayList<>();

    @Override
    public void accept(Alert alert) throws IOException {
      attempts.incrementAndGet();
      if (broken.get()) {
        throw new IOException("No space left on device");
      }
      accepted.add(alert.id());
    }
  }

  @BeforeEach
  void deploy() throws Exception {
    store = new CheckpointStore(dir.resolve("checkpoint.json"));
    ledger = new AlertLedger(dir.resolve("delivered-alerts.txt"));
    vertx = Vertx.vertx();
    Messages.registerCodecs(vertx);
    verticle = new AlertVerticle(List.of(sink), ledger, store, Map.of());
    vertx
        .deployVerticle(verticle, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      vertx = null;
    }
  }

  /** Publishes an alert and, behind it, a position; returns the position's commit. */
  private CompletableFuture<?> alertThenPosition(String alertId) throws Exception {
    vertx
        .eventBus()
        .publish(
            Messages.ALERTS,
            AlertJson.fromJson(
                """
        {"id":"%s","ruleId":"LW-001","title":"t","severity":"high","principal":"005A","count":1,"objects":"Contact",
         "firstEventTime":"2026-03-10T10:00:00Z","lastEventTime":"2026-03-10T10:00:00Z","detectedAt":"2026-03-10T10:00:00Z",
         "evidence":[],"reasons":[],"decidedBy":[],"attack":[],"controls":{},"drill":false,"revision":1}"""
                    .formatted(alertId)));
    return vertx
        .eventBus()
        .request(Messages.CHECKPOINT, POSITION)
        .toCompletionStage()
        .toCompletableFuture();
  }

  private void flush() throws Exception {
    vertx
        .eventBus()
        .request(Messages.ALERTS_FLUSH, "flush")
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  @Test
  void aFailingSinkIsRetriedAndTheCheckpointWaitsForIt() throws Exception {
    CompletableFuture<?> committed = alertThenPosition("lw-flaky1");
    await(() -> sink.attempts.get() >= 3, "three failed attempts");
    assertTrue(!committed.isDone(), "the checkpoint behind the alert waits");
    assertEquals(Map.of(), store.load(), "nothing saved while the alert is undelivered");
    assertTrue(!ledger.contains("lw-flaky1"));

    sink.broken.set(false);
    committed.get(30, TimeUnit.SECONDS);
    flush();
    assertEquals(List.of("lw-flaky1"), sink.accepted, "delivered once, after the failures");
    assertTrue(ledger.contains("lw-flaky1"));
    assertEquals(Map.of("/event/ApiEventStream", POSITION), store.load());
    assertTrue(verticle.failed() >= 3);
  }

  @Test
  void anAlertGivenUpAtShutdownKeepsEveryLaterPositionUnsaved() throws Exception {
    CompletableFuture<?> committed = alertThenPosition("lw-lost1");
    await(() -> sink.attempts.get() >= 2, "failed attempts");
    verticle.closing();
    committed.get(30, TimeUnit.SECONDS);
    flush();
    assertEquals(
        Map.of(), store.load(), "the position behind the undelivered alert is never saved");
    assertTrue(!ledger.contains("lw-lost1"), "so the restart replays and delivers it");
    assertEquals(0, verticle.delivered());
    close();
    assertEquals(Map.of(), store.load(), "not at stop either");
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    Await.until(condition, what, Duration.ofSeconds(30));
  }
}
