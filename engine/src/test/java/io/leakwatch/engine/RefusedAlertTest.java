package io.leakwatch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.alert.AlertSink;
import io.leakwatch.api.AlertHistory;
import io.leakwatch.checkpoint.AlertLedger;
import io.leakwatch.checkpoint.Checkpoint;
import io.leakwatch.checkpoint.CheckpointStore;
import io.leakwatch.decision.Alert;
import io.leakwatch.pubsub.ReplayId;
import io.leakwatch.rulepack.Severity;
import io.leakwatch.store.AlertStore;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An alert the alert history can never hold does not stall delivery: the real sinks get it and
 * every alert behind it, the position behind it is saved, and the refusal is said once and counted,
 * without the refused value.
 */
class RefusedAlertTest {
  private static final String TOPIC = "/event/LoginAsEventStream";
  private static final long T0 = 1_773_064_800_000L; // 2026-03-09T14:00:00Z

  /** A Salesforce username at its longest: 80 characters. */
  private static final String ADMIN_80 =
      "integration.admin.with.a.long.name@" + "x".repeat(33) + ".example.org";

  /** No Salesforce username is this long; a custom rule might still make such a principal. */
  private static final String SECRET_300 = "secret-admin-" + "q".repeat(287);

  @TempDir Path dir;
  private Vertx vertx;
  private AlertHistory history;

  /** What the org's real sinks (webhook, SIEM …) were handed, in order. */
  private static final class RealSink implements AlertSink {
    final List<String> taken = new CopyOnWriteArrayList<>();

    @Override
    public void accept(Alert alert) {
      taken.add(alert.id());
    }
  }

  @AfterEach
  void close() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    if (history != null) {
      history.close();
    }
  }

  @Test
  void anAlertTheHistoryCannotHoldIsSaidOnceCountedAndDeliveryGoesOn() throws Exception {
    assertEquals(80, ADMIN_80.length());
    assertEquals(300, SECRET_300.length());
    RealSink real = new RealSink();
    history = AlertHistory.inMemory(); // the embedded store, whose errors quote the value
    CheckpointStore store = new CheckpointStore(dir.resolve("checkpoint.json"));
    AlertLedger ledger = new AlertLedger(dir.resolve("delivered-alerts.txt"));
    PipelineStats stats = new PipelineStats();
    // As Fleet puts them: the configured sinks, then the history.
    AlertVerticle verticle =
        new AlertVerticle(List.of(real, history.sinkFor("acme")), ledger, store, Map.of())
            .countRefusalsIn(stats);

    // The engine's tests log through slf4j-simple, to System.err: read what it says there.
    PrintStream err = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    try {
      vertx = Vertx.vertx();
      Messages.registerCodecs(vertx);
      vertx
          .deployVerticle(
              verticle, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);

      publish(alert("lw-login-as-1", ADMIN_80, 1));
      publish(alert("lw-login-as-2", SECRET_300, 2));
      publish(alert("lw-login-as-3", "005000000000003AAA", 3));
      CompletableFuture<?> committed =
          vertx
              .eventBus()
              .request(Messages.CHECKPOINT, position(3))
              .toCompletionStage()
              .toCompletableFuture();
      committed.get(30, TimeUnit.SECONDS); // the old code retried lw-login-as-2 for ever here
      vertx
          .eventBus()
          .request(Messages.ALERTS_FLUSH, "flush")
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } finally {
      System.setErr(err);
    }
    String said = log.toString(StandardCharsets.UTF_8);
    err.print(said);

    assertEquals(
        List.of("lw-login-as-1", "lw-login-as-2", "lw-login-as-3"),
        real.taken,
        "the real sinks got every alert, each once, in order");
    assertTrue(ledger.contains("lw-login-as-2"), "done with: a restart does not replay it");
    assertTrue(ledger.contains("lw-login-as-3"));
    assertEquals(Map.of(TOPIC, position(3)), store.load(), "the position behind it is saved");
    assertEquals(3, verticle.delivered());
    assertEquals(1, verticle.refused());
    assertEquals(Map.of("LW-017", 1L), stats.refusedAlertsByRule());
    assertEquals(0, verticle.deliveryStalledSince(), "delivery never stalled");

    AlertStore stored = history.store();
    assertEquals(2, stored.count("acme"), "the history holds the two it can");
    List<AlertStore.Stored> byAdmin =
        stored.page(new AlertStore.Filter(null, null, null, null, ADMIN_80, "acme", 10, null));
    assertEquals(1, byAdmin.size(), "an 80-character username is recorded and found");
    assertEquals("lw-login-as-1", byAdmin.get(0).alert().id());

    List<String> refusals =
        said.lines().filter(l -> l.contains("ERROR") && l.contains("refused for good")).toList();
    assertEquals(1, refusals.size(), said);
    assertTrue(refusals.get(0).contains("lw-login-as-2"), refusals.get(0));
    assertTrue(refusals.get(0).contains("HistorySink"), "names the sink: " + refusals.get(0));
    assertFalse(said.contains("secret-admin"), "the refused value is never logged:\n" + said);
    assertFalse(said.contains("qqqqq"), "the refused value is never logged:\n" + said);
    assertFalse(said.contains("integration.admin"), said);
  }

  private void publish(Alert alert) {
    vertx.eventBus().publish(Messages.ALERTS, alert);
  }

  private static Alert alert(String id, String principal, int minute) {
    return Alert.builder()
        .id(id)
        .ruleId("LW-017")
        .title("Login-As session read PHI")
        .severity(Severity.HIGH)
        .principal(principal)
        .count(1)
        .objects("Patient_Record__c")
        .firstEventTime(T0 + minute * 60_000L)
        .lastEventTime(T0 + minute * 60_000L)
        .detectedAt(T0 + minute * 60_000L)
        .build();
  }

  private static Checkpoint position(int replay) {
    ReplayId id = ReplayId.fromHex("%016x".formatted(replay));
    return new Checkpoint(TOPIC, id, replay, id, replay);
  }
}
