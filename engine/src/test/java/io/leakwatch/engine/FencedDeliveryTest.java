package io.leakwatch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.alert.AlertJson;
import io.leakwatch.alert.AlertSink;
import io.leakwatch.checkpoint.Checkpoint;
import io.leakwatch.decision.Alert;
import io.leakwatch.pubsub.ReplayId;
import io.leakwatch.store.Fence;
import io.leakwatch.store.FencedOffException;
import io.leakwatch.store.SharedOrgState;
import io.leakwatch.store.StoreSettings;
import io.leakwatch.testing.Await;
import io.leakwatch.testing.Postgres;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The alert worker on the shared PostgreSQL store: alerts a node delivered are never delivered by
 * the node that takes the org over, and a node whose lease was granted to another stops delivering
 * and saving at once (a typed failure naming the org), instead of retrying or carrying on.
 */
class FencedDeliveryTest {
  private static final String ORG = "acme";
  private static final Checkpoint FIRST =
      new Checkpoint("/event/ApiEventStream", null, 0, ReplayId.fromHex("00000000000000a1"), 1L);
  private static final Checkpoint SECOND =
      new Checkpoint("/event/ApiEventStream", null, 0, ReplayId.fromHex("00000000000000a2"), 2L);

  private StoreSettings settings;
  private final List<Vertx> nodes = new CopyOnWriteArrayList<>();
  private final List<SharedOrgState> states = new CopyOnWriteArrayList<>();

  @BeforeEach
  void freshDatabase() throws Exception {
    settings = Postgres.freshDatabase();
  }

  @AfterEach
  void stopNodes() throws Exception {
    for (Vertx vertx : nodes) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    for (SharedOrgState state : states) {
      state.close();
    }
  }

  /** One node's alert worker for the org, under {@code fence}. */
  private record Node(
      Vertx vertx,
      AlertVerticle worker,
      List<String> delivered,
      SharedOrgState state,
      List<FencedOffException> fencedOff) {}

  private Node node(Fence fence) throws Exception {
    SharedOrgState state = SharedOrgState.open(settings, ORG, fence);
    states.add(state);
    Vertx vertx = Vertx.vertx();
    nodes.add(vertx);
    Messages.registerCodecs(vertx);
    List<String> delivered = new CopyOnWriteArrayList<>();
    List<FencedOffException> fencedOff = new CopyOnWriteArrayList<>();
    AlertSink sink = alert -> delivered.add(alert.id());
    AlertVerticle worker =
        new AlertVerticle(List.of(sink), state.ledger(), state.checkpoints(), Map.of())
            .whenFencedOff(fencedOff::add);
    vertx
        .deployVerticle(worker, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    return new Node(vertx, worker, delivered, state, fencedOff);
  }

  private void grant(String owner, long token) throws Exception {
    Postgres.grant(settings, ORG, owner, token);
  }

  private static Alert alert(String id) throws Exception {
    return AlertJson.fromJson(
        """
        {"id":"%s","ruleId":"LW-001","title":"t","severity":"high","principal":"005A","count":1,"objects":"Contact",
         "firstEventTime":"2026-03-10T10:00:00Z","lastEventTime":"2026-03-10T10:00:00Z","detectedAt":"2026-03-10T10:00:00Z",
         "evidence":[],"reasons":[],"decidedBy":[],"attack":[],"controls":{},"drill":false,"revision":1}"""
            .formatted(id));
  }

  /** Publishes an alert and, behind it, a position; returns the position's commit. */
  private static CompletableFuture<?> alertThenPosition(Node node, String id, Checkpoint position)
      throws Exception {
    node.vertx().eventBus().publish(Messages.ALERTS, alert(id));
    return node.vertx()
        .eventBus()
        .request(Messages.CHECKPOINT, position)
        .toCompletionStage()
        .toCompletableFuture();
  }

  private static CompletableFuture<?> flush(Node node) {
    return node.vertx()
        .eventBus()
        .request(Messages.ALERTS_FLUSH, "flush")
        .toCompletionStage()
        .toCompletableFuture();
  }

  @Test
  void theNodeThatTakesAnOrgOverNeverDeliversWhatTheFirstDelivered() throws Exception {
    SharedOrgState.open(settings, ORG, null).close(); // the schema, as a node's start makes it
    grant("node-a", 1);
    Node a = node(new Fence(ORG, 1));
    alertThenPosition(a, "lw-1", FIRST).get(30, TimeUnit.SECONDS);
    flush(a).get(30, TimeUnit.SECONDS);
    assertEquals(List.of("lw-1"), a.delivered());
    Await.until(() -> saved(a).equals(Map.of(FIRST.topic(), FIRST)), "the checkpoint saved");

    grant("node-b", 2);
    Node b = node(new Fence(ORG, 2));
    assertEquals(Map.of(FIRST.topic(), FIRST), saved(b), "node B resumes where A saved");
    // B replays the events after the checkpoint's resume point: lw-1 is raised again.
    alertThenPosition(b, "lw-1", SECOND).get(30, TimeUnit.SECONDS);
    alertThenPosition(b, "lw-2", SECOND).get(30, TimeUnit.SECONDS);
    flush(b).get(30, TimeUnit.SECONDS);
    assertEquals(List.of("lw-2"), b.delivered(), "lw-1 was delivered by node A");
    assertEquals(1, b.worker().duplicatesSuppressed());
  }

  @Test
  void aNodeWhoseLeaseWasGrantedToAnotherStopsDeliveringAndSavingAtOnce() throws Exception {
    SharedOrgState.open(settings, ORG, null).close();
    grant("node-a", 7);
    Node a = node(new Fence(ORG, 7));
    alertThenPosition(a, "lw-1", FIRST).get(30, TimeUnit.SECONDS);
    flush(a).get(30, TimeUnit.SECONDS);
    Await.until(() -> saved(a).equals(Map.of(FIRST.topic(), FIRST)), "the checkpoint saved");

    grant("node-b", 8); // A paused past its lease

    CompletableFuture<?> refused = alertThenPosition(a, "lw-2", SECOND);
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> refused.get(30, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().startsWith("org acme: "), e.getCause().getMessage());
    assertEquals(List.of("lw-1"), a.delivered(), "nothing delivered under the lost lease");
    assertEquals(1, a.fencedOff().size());
    assertEquals(ORG, a.fencedOff().get(0).org());
    assertEquals(7, a.worker().fencedOff().token());
    // Everything after is refused at once, never retried, and changes nothing.
    assertThrows(ExecutionException.class, () -> flush(a).get(30, TimeUnit.SECONDS));
    assertThrows(
        ExecutionException.class,
        () -> alertThenPosition(a, "lw-3", SECOND).get(30, TimeUnit.SECONDS));
    assertEquals(List.of("lw-1"), a.delivered());
    assertEquals(1, a.fencedOff().size(), "reported once");
    assertEquals(Map.of(FIRST.topic(), FIRST), saved(a), "the checkpoint is A's last valid one");
    assertFalse(a.state().ledger().delivered("lw-2"));

    Node b = node(new Fence(ORG, 8));
    alertThenPosition(b, "lw-2", SECOND).get(30, TimeUnit.SECONDS);
    flush(b).get(30, TimeUnit.SECONDS);
    assertEquals(List.of("lw-2"), b.delivered(), "the lease holder delivers what A could not");
    assertNull(b.worker().fencedOff());
  }

  private static Map<String, Checkpoint> saved(Node node) {
    try {
      return node.state().checkpoints().loadEach().positions();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
