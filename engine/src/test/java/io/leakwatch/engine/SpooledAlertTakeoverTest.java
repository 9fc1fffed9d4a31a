package io.leakwatch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.leakwatch.alert.AlertJson;
import io.leakwatch.alert.Backoff;
import io.leakwatch.alert.DrillPolicy;
import io.leakwatch.alert.SpooledAlertSink;
import io.leakwatch.alert.WebhookTransport;
import io.leakwatch.decision.Alert;
import io.leakwatch.fleet.SpoolShare;
import io.leakwatch.store.Fence;
import io.leakwatch.store.FencedOffException;
import io.leakwatch.store.PostgresSpooledAlerts;
import io.leakwatch.store.SharedOrgState;
import io.leakwatch.store.StoreSettings;
import io.leakwatch.testing.Await;
import io.leakwatch.testing.Postgres;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's spooled sink takes an alert its receiver cannot have yet, and the shared ledger then
 * says delivered; the node is lost with its spool. The node that takes the org over must send the
 * alert (a real PostgreSQL store, the real alert worker and webhook sink, a real HTTP receiver).
 */
class SpooledAlertTakeoverTest {
  private static final String ORG = "acme";
  private static final Backoff FAST = new Backoff(Duration.ofMillis(20), Duration.ofMillis(200));

  @TempDir Path dir;
  private StoreSettings settings;
  private HttpServer receiver;
  private final List<String> received = new CopyOnWriteArrayList<>();
  private final List<String> refused = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    settings = Postgres.freshDatabase();
    SharedOrgState.open(settings, ORG, null).close(); // the schema, as a node's start makes it
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext(
        "/",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          // /refuse answers as a receiver that can never take the alert: a dead letter.
          boolean refuse = exchange.getRequestURI().getPath().equals("/refuse");
          (refuse ? refused : received).add(body);
          exchange.sendResponseHeaders(refuse ? 400 : 200, -1);
          exchange.close();
        });
    receiver.start();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    receiver.stop(0);
  }

  /** One node: its webhook sink (spool of its own), the org's alert worker under {@code fence}. */
  private record Node(
      Vertx vertx, SpooledAlertSink sink, SpoolShare share, SharedOrgState state, Path spool) {
    void deliver(Alert alert) throws Exception {
      vertx.eventBus().publish(Messages.ALERTS, alert);
      vertx
          .eventBus()
          .request(Messages.ALERTS_FLUSH, "flush")
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    }

    /** Lost: the process gone without draining its spool, then its disk. */
    void lose() throws Exception {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      sink.close();
      share.close();
      state.close();
      try (Stream<Path> files = Files.walk(spool)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private Node node(String name, long token, String url, Supplier<Collection<String>> live)
      throws Exception {
    return node(name, token, url, live, Duration.ofMinutes(1));
  }

  private Node node(
      String name, long token, String url, Supplier<Collection<String>> live, Duration sweepEvery)
      throws Exception {
    Fence fence = new Fence(ORG, token);
    SharedOrgState state = SharedOrgState.open(settings, ORG, fence);
    Path spool = dir.resolve(name + "-spool");
    SpooledAlertSink sink =
        new SpooledAlertSink(
            "webhooks[0]",
            spool,
            AlertJson::toJson,
            DrillPolicy.SKIP,
            false,
            new WebhookTransport(
                URI.create(url),
                null,
                HttpClient.newHttpClient(),
                Duration.ofSeconds(2),
                Clock.systemUTC()),
            FAST);
    SpoolShare share =
        new SpoolShare(
            new PostgresSpooledAlerts(settings, name, Clock.systemUTC()),
            List.of(sink),
            live,
            sweepEvery);
    Vertx vertx = Vertx.vertx();
    Messages.registerCodecs(vertx);
    AlertVerticle worker =
        new AlertVerticle(
            List.of(share.recording(ORG, sink)), state.ledger(), state.checkpoints(), Map.of());
    vertx
        .deployVerticle(worker, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    Node node = new Node(vertx, sink, share, state, spool);
    open.add(
        () -> {
          if (Files.exists(spool)) {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            sink.close();
            share.close();
            state.close();
          }
        });
    return node;
  }

  private String receiverUrl() {
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
  }

  /** A loopback URL nothing listens on: the receiver is unreachable. */
  private static String unreachableUrl() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "http://127.0.0.1:" + socket.getLocalPort() + "/hook";
    }
  }

  private long spooledRows() throws Exception {
    try (Connection c = Postgres.sql(settings);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM org_spooled_alert")) {
      r.next();
      return r.getLong(1);
    }
  }

  private static Alert alert(String id) throws Exception {
    return AlertJson.fromJson(
        """
        {"id":"%s","ruleId":"LW-001","title":"t","severity":"high","principal":"005A","count":1,"objects":"Contact",
         "firstEventTime":"2026-03-10T10:00:00Z","lastEventTime":"2026-03-10T10:00:00Z","detectedAt":"2026-03-10T10:00:00Z",
         "evidence":[],"reasons":[],"decidedBy":[],"attack":[],"controls":{},"drill":false,"revision":1}"""
            .formatted(id));
  }

  @Test
  void theNodeThatTakesTheOrgOverSendsWhatALostNodeHadSpooled() throws Exception {
    Postgres.grant(settings, ORG, "lw-a#1", 1);
    Node a = node("lw-a", 1, unreachableUrl(), () -> List.of("lw-a", "lw-b"));
    a.deliver(alert("lw-spooled-1"));
    assertTrue(a.state().ledger().delivered("lw-spooled-1"), "the ledger says delivered");
    assertEquals(1, a.sink().pending(), "waiting in node A's spool");

    a.lose();
    Postgres.grant(settings, ORG, "lw-b#1", 2); // A's lease ran out, B was granted the org
    Node b = node("lw-b", 2, receiverUrl(), () -> List.of("lw-b"));
    assertEquals(1, b.share().takeOver(ORG, new Fence(ORG, 2)), "taken over");

    Await.until(() -> received.size() == 1, "the receiver gets the alert from node B");
    assertTrue(received.get(0).contains("\"lw-spooled-1\""), received.get(0));
    Await.until(() -> rowsQuietly() == 0, "the row goes once node B delivered it");
    assertEquals(1, b.share().takenOver(ORG));

    // The events replayed on B raise the alert again: the ledger keeps it single.
    b.deliver(alert("lw-spooled-1"));
    assertEquals(0, b.share().takeOver(ORG, new Fence(ORG, 2)), "nothing left to take");
    assertEquals(1, received.size(), "sent once by node B");
  }

  @Test
  void whatANodeStillLiveSpooledIsLeftToItAndTakenOnceItIsGone() throws Exception {
    Postgres.grant(settings, ORG, "lw-a#1", 1);
    Node a = node("lw-a", 1, unreachableUrl(), () -> List.of("lw-a", "lw-b"));
    a.deliver(alert("lw-rebalanced-1"));

    // A rebalance: A lives on and drains its spool once its receiver is back; B sends nothing.
    Postgres.grant(settings, ORG, "lw-b#1", 2);
    List<String> members = new CopyOnWriteArrayList<>(List.of("lw-a", "lw-b"));
    Node b = node("lw-b", 2, receiverUrl(), () -> List.copyOf(members));
    assertEquals(0, b.share().takeOver(ORG, new Fence(ORG, 2)), "A is live: its spool sends it");
    assertEquals(1, spooledRows());

    // Then A is lost before its receiver came back: B, which runs the org, sweeps when A leaves.
    b.share().owns(ORG, new Fence(ORG, 2));
    a.lose();
    members.remove("lw-a");
    b.share().membersChanged();
    Await.until(() -> received.size() == 1, "the receiver gets the alert from node B");
    assertTrue(received.get(0).contains("\"lw-rebalanced-1\""), received.get(0));
    assertEquals(1, b.share().takenOver(ORG));
  }

  /**
   * Node A, cut off from the membership but still reaching the store, spooled an alert after B had
   * the org and was then lost: no member ever left, so only B's own timer finds A's row.
   */
  @Test
  void aNodeThatWasNeverAMemberAgainIsSweptOnTheOwnersTimer() throws Exception {
    Postgres.grant(settings, ORG, "lw-b#1", 2);
    Node b = node("lw-b", 2, receiverUrl(), () -> List.of("lw-b"), Duration.ofMillis(200));
    b.share().owns(ORG, new Fence(ORG, 2));
    try (PostgresSpooledAlerts cutOff =
        new PostgresSpooledAlerts(settings, "lw-a", Clock.systemUTC())) {
      cutOff.spooled(ORG, "webhooks[0]", "lw-cut-off-1", AlertJson.toJson(alert("lw-cut-off-1")));
    }
    Await.until(() -> received.size() == 1, "the receiver gets the alert from node B");
    assertTrue(received.get(0).contains("\"lw-cut-off-1\""), received.get(0));
    assertEquals(1, b.share().takenOver(ORG));
  }

  /**
   * With the membership unknown every node looks gone: nothing is taken (twice) until it is known.
   */
  @Test
  void nothingIsTakenOverWhileTheMembersAreUnknown() throws Exception {
    Postgres.grant(settings, ORG, "lw-a#1", 1);
    Node a = node("lw-a", 1, unreachableUrl(), () -> List.of("lw-a", "lw-b"));
    a.deliver(alert("lw-live-1"));
    Postgres.grant(settings, ORG, "lw-b#1", 2);
    Node b = node("lw-b", 2, receiverUrl(), List::of);
    assertEquals(0, b.share().takeOver(ORG, new Fence(ORG, 2)));
    assertEquals(0, b.sink().pending(), "A's alert is A's while A may be live");
    assertEquals(1, spooledRows());
  }

  /**
   * Two orgs' alerts with one key (a rule's own alert key) in one sink on two nodes: B finishing
   * its own leaves A's row, whose alert A never sent.
   */
  @Test
  void finishingAnAlertRemovesOnlyThisNodesRowOfItsKey() throws Exception {
    try (PostgresSpooledAlerts a = new PostgresSpooledAlerts(settings, "lw-a", Clock.systemUTC());
        PostgresSpooledAlerts b = new PostgresSpooledAlerts(settings, "lw-b", Clock.systemUTC())) {
      a.spooled("acme", "webhooks[0]", "LW-009/shared-key", "{}");
      b.spooled("beta", "webhooks[0]", "LW-009/shared-key", "{}");
      b.finished("webhooks[0]", "LW-009/shared-key");
      assertEquals(1, spooledRows(), "acme's row on A stays");
      assertEquals(1, a.onNodesGone("acme", List.of("lw-b")).size());
    }
  }

  @Test
  void aNodeThatLostTheOrgTakesNothingOver() throws Exception {
    Postgres.grant(settings, ORG, "lw-a#1", 1);
    Node a = node("lw-a", 1, unreachableUrl(), () -> List.of("lw-a"));
    a.deliver(alert("lw-stale-1"));
    a.lose();
    Postgres.grant(settings, ORG, "lw-c#1", 3); // C holds the org now, not B's token 2
    Node b = node("lw-b", 2, receiverUrl(), () -> List.of("lw-b"));
    assertThrows(FencedOffException.class, () -> b.share().takeOver(ORG, new Fence(ORG, 2)));
    assertEquals(0, b.sink().pending(), "nothing spooled on a node without the lease");
    assertEquals(1, spooledRows(), "left for the lease holder");
  }

  @Test
  void anAlertRefusedForGoodIsNotSentAgainByATakeover() throws Exception {
    Postgres.grant(settings, ORG, "lw-a#1", 1);
    Node a =
        node(
            "lw-a",
            1,
            "http://127.0.0.1:" + receiver.getAddress().getPort() + "/refuse",
            () -> List.of("lw-a"));
    a.deliver(alert("lw-refused-1"));
    Await.until(() -> a.sink().stats().deadLettered() == 1, "dead-lettered on node A");
    Await.until(() -> rowsQuietly() == 0, "a dead letter leaves no row to take over");

    a.lose();
    Postgres.grant(settings, ORG, "lw-b#1", 2);
    Node b = node("lw-b", 2, receiverUrl(), () -> List.of("lw-b"));
    assertEquals(0, b.share().takeOver(ORG, new Fence(ORG, 2)));
    assertEquals(List.of(), received, "not resent: a dead letter is resent only when asked");
  }

  private long rowsQuietly() {
    try {
      return spooledRows();
    } catch (Exception e) {
      return -1;
    }
  }
}
