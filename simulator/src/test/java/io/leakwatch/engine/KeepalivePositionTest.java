package io.leakwatch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.auth.AccessGrant;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.checkpoint.Checkpoint;
import io.leakwatch.pubsub.PubSubClient;
import io.leakwatch.pubsub.PubSubCredentials;
import io.leakwatch.pubsub.PubSubEndpoint;
import io.leakwatch.pubsub.ReplayStart;
import io.leakwatch.sim.TestSupport;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.TrafficGenerator;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A keepalive's replay id becomes a topic's checkpoint only once every batch handed off before it
 * is confirmed processed. A batch whose confirmation timed out may still wait in detection's merge
 * (held behind a dead letter the disk refuses, or a stalled topic): a checkpoint past it would make
 * a restart skip it. One subscription, on the simulator, against a detection that never confirms.
 */
class KeepalivePositionTest {
  private static final String TOPIC = EventSchemas.API;

  @TempDir Path dir;
  private Vertx vertx;
  private PubSubServer server;
  private PubSubClient client;

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** The simulator with keepalives {@code keepalive} apart, a client of it and a Vert.x. */
  private void start(SimulatedOrg org, Duration keepalive) throws Exception {
    server =
        PubSubServer.start(
            PubSubServer.Settings.defaults(org.orgId(), dir.resolve("tls"))
                .withTimers(keepalive, Duration.ofSeconds(60)),
            EventSchemas.standard().byTopic(),
            1);
    client =
        new PubSubClient(
            new PubSubEndpoint("localhost", server.port(), server.certificate()),
            () -> new PubSubCredentials("token", org.instanceUrl(), org.orgId()));
    vertx = Vertx.vertx();
    Messages.registerCodecs(vertx);
  }

  /** The topic's subscription from the earliest event, with no checkpoint. */
  private SubscriptionVerticle subscription(SimulatedOrg org) {
    return new SubscriptionVerticle(
        client,
        TokenSource.fixed(new AccessGrant("token", org.instanceUrl(), org.orgId())),
        TOPIC,
        ReplayStart.earliest(),
        null,
        TestSupport.quickReconnects(),
        100,
        false);
  }

  /** Positions asked to be saved and saved; none is answered while the alert sinks are stuck. */
  private record StuckSinks(AtomicBoolean stuck, AtomicInteger asked, AtomicInteger saved) {}

  /**
   * Detection's answers a subscription needs besides its batches: the org's event time at each
   * keepalive, and positions saved behind the alerts before them, which stuck sinks hold back.
   */
  private StuckSinks stuckSinks() {
    StuckSinks sinks =
        new StuckSinks(new AtomicBoolean(true), new AtomicInteger(), new AtomicInteger());
    vertx
        .eventBus()
        .consumer(Messages.TOPIC_IDLE, message -> message.reply(System.currentTimeMillis()));
    vertx
        .eventBus()
        .<Checkpoint>consumer(
            Messages.CHECKPOINT,
            message -> {
              sinks.asked().incrementAndGet();
              if (!sinks.stuck().get()) {
                sinks.saved().incrementAndGet();
                message.reply("saved");
              }
            });
    return sinks;
  }

  @Test
  void aKeepaliveAfterABatchWhoseConfirmationTimedOutDoesNotMoveTheCheckpointPastIt()
      throws Exception {
    SimulatedOrg org = SimulatedOrg.generate(5, 50);
    start(org, Duration.ofMillis(100));
    List<Object> handedOff = new CopyOnWriteArrayList<>();
    List<Checkpoint> committed = new CopyOnWriteArrayList<>();
    // Detection that takes batches and never says they are processed.
    vertx.eventBus().consumer(Messages.EVENTS, message -> handedOff.add(message.body()));
    // Its event time is far past the topic's (other topics flow): only the unconfirmed batch
    // stands between a keepalive and the checkpoint.
    vertx
        .eventBus()
        .consumer(
            Messages.TOPIC_IDLE,
            message -> message.reply(System.currentTimeMillis() + Duration.ofDays(1).toMillis()));
    vertx
        .eventBus()
        .<Checkpoint>consumer(
            Messages.CHECKPOINT,
            message -> {
              committed.add(message.body());
              message.reply("saved");
            });
    SubscriptionVerticle subscription = subscription(org).batchTimeout(500);
    vertx
        .deployVerticle(subscription)
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    TestSupport.await(() -> !committed.isEmpty(), "the empty topic's position from a keepalive");

    SimEvent read =
        new TrafficGenerator(org)
            .day(LocalDate.of(2026, 3, 10)).stream()
                .filter(e -> e.topic().equals(TOPIC))
                .findFirst()
                .orElseThrow();
    server.publish(TOPIC, read.eventIdentifier(), EventSchemas.encode(read.record()));
    TestSupport.await(() -> handedOff.size() == 1, "the event handed to detection");
    int before = committed.size();
    // The confirmation times out after 0.5 s; keepalives keep coming every 0.1 s after it.
    long keepalives = server.stats().keepAlives();
    TestSupport.await(
        () -> server.stats().keepAlives() >= keepalives + 20, "keepalives after the time-out");

    for (Checkpoint c : committed.subList(before, committed.size())) {
      assertEquals(
          0,
          server.topic(TOPIC).indexAfter(c.resumeAfter().toByteString()),
          "a restart would skip the unconfirmed event: " + c);
    }
    assertFalse(subscription.processed() > 0, "nothing was confirmed processed");
  }

  @Test
  void whileTheAlertSinksAreStuckAKeepaliveWaitsForTheLastOnesPositionInsteadOfPilingUp()
      throws Exception {
    SimulatedOrg org = SimulatedOrg.generate(5, 50);
    start(org, Duration.ofMillis(50));
    StuckSinks sinks = stuckSinks();
    SubscriptionVerticle subscription = subscription(org).commitTimeout(1_000);
    vertx
        .deployVerticle(subscription)
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    TestSupport.await(() -> sinks.asked().get() == 1, "the first keepalive's position");
    long first = server.stats().keepAlives();
    // Every keepalive gives a new position, many of them before the first wait times out.
    TestSupport.await(
        () -> subscription.commitsUnconfirmed() >= 3, "three positions not confirmed in turn");
    long keepalives = server.stats().keepAlives() - first;

    assertTrue(
        sinks.asked().get() <= subscription.commitsUnconfirmed() + 1,
        sinks.asked().get()
            + " positions sent for "
            + keepalives
            + " keepalives while none was saved");
    assertTrue(
        keepalives > 2L * sinks.asked().get(),
        keepalives + " keepalives, " + sinks.asked() + " sent");

    sinks.stuck().set(false);
    TestSupport.await(() -> sinks.saved().get() > 0, "a position saved once the sinks are back");
    TestSupport.await(
        () -> subscription.commitsUnconfirmed() == 0, "the count of unconfirmed ones cleared");
  }

  @Test
  void whileTheAlertSinksAreStuckAStreamStaysStoppedAfterItsCommitsTimeOut() throws Exception {
    SimulatedOrg org = SimulatedOrg.generate(5, 50);
    start(org, Duration.ofMillis(100));
    List<SimEvent> reads =
        new TrafficGenerator(org)
            .day(LocalDate.of(2026, 3, 10)).stream()
                .filter(e -> e.topic().equals(TOPIC))
                .limit(250)
                .toList();
    assertEquals(250, reads.size());
    AtomicInteger handedOff = new AtomicInteger();
    // Detection processes every batch at once; its positions wait behind stuck alert sinks.
    vertx
        .eventBus()
        .<Messages.EventBatch>consumer(
            Messages.EVENTS,
            message -> {
              handedOff.addAndGet(message.body().events().size());
              message.reply(message.body().events().size());
            });
    StuckSinks sinks = stuckSinks();
    SubscriptionVerticle subscription = subscription(org).commitTimeout(300);
    vertx
        .deployVerticle(subscription)
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    for (SimEvent read : reads) {
      server.publish(TOPIC, read.eventIdentifier(), EventSchemas.encode(read.record()));
    }
    TestSupport.await(() -> handedOff.get() >= 100, "the first 100 events (the stream's credit)");
    // Each batch's commit times out (0.3 s) and is sent again a second later, more than once.
    TestSupport.await(
        () -> subscription.commitsUnconfirmed() >= 10, "commits timing out while sinks are stuck");

    assertEquals(100, handedOff.get(), "no credit back while no position is saved");

    sinks.stuck().set(false);
    TestSupport.await(() -> handedOff.get() == 250, "the rest once positions are saved again");
  }
}
