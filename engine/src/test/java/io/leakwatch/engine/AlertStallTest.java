package io.leakwatch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.alert.AlertJson;
import io.leakwatch.alert.AlertSink;
import io.leakwatch.checkpoint.AlertLedger;
import io.leakwatch.checkpoint.Checkpoint;
import io.leakwatch.checkpoint.CheckpointStore;
import io.leakwatch.checkpoint.DeliveryLedger;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What readiness reads from the alert worker: a stall while an alert waits, whether the sink or
 * ledger fails or blocks; none once nothing waits.
 */
class AlertStallTest {
  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void close() throws Exception {
    release.countDown();
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private AlertVerticle deploy(AlertSink sink, DeliveryLedger ledger, CheckpointStore store)
      throws Exception {
    Messages.registerCodecs(vertx);
    AlertVerticle verticle = new AlertVerticle(List.of(sink), ledger, store, Map.of());
    vertx
        .deployVerticle(verticle, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    return verticle;
  }

  private void publish(String id) throws Exception {
    vertx
        .eventBus()
        .publish(
            Messages.ALERTS,
            AlertJson.fromJson(
                """
        {"id":"%s","ruleId":"LW-001","title":"t","severity":"high","principal":"005A","count":1,"objects":"Contact",
         "firstEventTime":"2026-03-10T10:00:00Z","lastEventTime":"2026-03-10T10:00:00Z","detectedAt":"2026-03-10T10:00:00Z",
         "evidence":[],"reasons":[],"decidedBy":[],"attack":[],"controls":{},"drill":false,"revision":1}"""
                    .formatted(id)));
  }

  @Test
  void aSinkThatBlocksInsteadOfFailingReadsAsAStall() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    AlertSink blocked =
        alert -> {
          entered.countDown(); // stdout blocked, a hung NFS mount: the call never returns
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
    CheckpointStore store = new CheckpointStore(dir.resolve("checkpoint.json"));
    AlertVerticle verticle =
        deploy(blocked, new AlertLedger(dir.resolve("delivered-alerts.txt")), store);
    long before = System.currentTimeMillis();
    publish("lw-blocked1");
    CompletableFuture<?> committed =
        vertx
            .eventBus()
            .request(
                Messages.CHECKPOINT,
                new Checkpoint(
                    "/event/ApiEventStream", null, 0, ReplayId.fromHex("00000000000000ff"), 1L))
            .toCompletionStage()
            .toCompletableFuture();
    assertTrue(entered.await(30, TimeUnit.SECONDS));

    long since = verticle.deliveryStalledSince();
    assertNotEquals(0L, since, "an alert waits in a sink: readiness must be able to see it");
    assertTrue(since >= before && since <= System.currentTimeMillis(), "since " + since);
    assertFalse(committed.isDone(), "the position waits behind the alert");

    release.countDown();
    committed.get(30, TimeUnit.SECONDS);
    assertEquals(0L, verticle.deliveryStalledSince(), "nothing waits once the sink returned");
  }

  @Test
  void aReplayedDuplicateAfterALedgerFailureClearsTheStall() throws Exception {
    AtomicInteger claims = new AtomicInteger();
    DeliveryLedger ledger =
        new DeliveryLedger() {
          @Override
          public boolean claim(String key) throws IOException {
            if (claims.getAndIncrement() == 0) {
              throw new IOException("store unreachable for a moment");
            }
            return false; // delivered before the restart that replays it
          }

          @Override
          public void record(String key) {}

          @Override
          public String describe() {
            return "a ledger";
          }

          @Override
          public void close() {}
        };
    AlertVerticle verticle = deploy(alert -> {}, ledger, null);
    publish("lw-dup1");
    Await.until(
        () -> verticle.duplicatesSuppressed() == 1,
        "the retry finds it delivered",
        Duration.ofSeconds(30));
    vertx
        .eventBus()
        .request(Messages.ALERTS_FLUSH, "flush")
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);

    assertEquals(2, claims.get());
    assertEquals(0L, verticle.deliveryStalledSince(), "nothing waits: no stall for readiness");
  }
}
