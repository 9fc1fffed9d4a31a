package io.leakwatch.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.salesforce.eventbus.protobuf.SchemaRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.leakwatch.pubsub.PubSubClient;
import io.leakwatch.pubsub.PubSubCredentials;
import io.leakwatch.pubsub.PubSubEndpoint;
import io.leakwatch.pubsub.PubSubErrors;
import io.leakwatch.pubsub.PubSubSubscriber;
import io.leakwatch.pubsub.ReceivedEvent;
import io.leakwatch.pubsub.ReplayId;
import io.leakwatch.pubsub.ReplayStart;
import io.leakwatch.pubsub.SchemaCache;
import io.leakwatch.pubsub.SubscriptionListener;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connector's subscriber against the simulator's server, over real gRPC on loopback TLS. */
class PubSubWireTest {
  private static final String TOPIC = EventSchemas.API;

  @TempDir Path dir;
  private PubSubServer server;
  private PubSubClient client;
  private final List<ByteString> replayIds = new ArrayList<>();
  private final List<String> eventIds = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server =
        PubSubServer.start(
            PubSubServer.Settings.defaults("00D000000000001AAA", dir)
                .withTimers(Duration.ofMillis(300), Duration.ofSeconds(60)),
            EventSchemas.standard().byTopic(),
            1_000);
    SimulatedOrg org = SimulatedOrg.generate(3, 100);
    for (SimEvent event : new TrafficGenerator(org).day(LocalDate.of(2026, 3, 10))) {
      if (event.topic().equals(TOPIC) && eventIds.size() < 350) {
        replayIds.add(
            server.publish(TOPIC, event.eventIdentifier(), EventSchemas.encode(event.record())));
        eventIds.add(event.eventIdentifier());
      }
    }
    client =
        new PubSubClient(
            new PubSubEndpoint("localhost", server.port(), server.certificate()),
            () ->
                new PubSubCredentials(
                    "any-token", "https://sim.my.salesforce.com", "00D000000000001AAA"));
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  /**
   * Collects events; releases credit only when told to, like a consumer that is slow to process.
   */
  private static final class Recorder implements SubscriptionListener {
    final List<ReceivedEvent> events = new ArrayList<>();
    final CompletableFuture<Throwable> error = new CompletableFuture<>();
    final CountDownLatch keepAlive = new CountDownLatch(1);
    volatile PubSubSubscriber subscriber;
    final boolean autoRelease;

    Recorder(boolean autoRelease) {
      this.autoRelease = autoRelease;
    }

    @Override
    public synchronized void onEvents(String topic, List<ReceivedEvent> batch) {
      events.addAll(batch);
      notifyAll();
      if (autoRelease) {
        subscriber.release(batch.size());
      }
    }

    @Override
    public void onKeepAlive(String topic, ReplayId latest) {
      keepAlive.countDown();
    }

    @Override
    public void onError(String topic, Throwable failure) {
      error.complete(failure);
    }

    synchronized void awaitCount(int count) throws InterruptedException {
      long deadline = System.currentTimeMillis() + 20_000;
      while (events.size() < count && System.currentTimeMillis() < deadline) {
        wait(100);
      }
      assertEquals(count, events.size(), "events received");
    }
  }

  private PubSubSubscriber subscribe(ReplayStart start, Recorder recorder, int backlog) {
    // The listener may fire before subscribe() returns; it only needs the subscriber to release.
    synchronized (recorder) {
      PubSubSubscriber subscriber = client.subscribe(TOPIC, start, backlog, recorder);
      recorder.subscriber = subscriber;
      return subscriber;
    }
  }

  @Test
  void receivesEveryEventDecodedInReplayOrderNeverAskingMoreThan100() throws Exception {
    Recorder recorder = new Recorder(true);
    try (PubSubSubscriber ignored = subscribe(ReplayStart.earliest(), recorder, 1_000)) {
      recorder.awaitCount(eventIds.size());
    }
    for (int i = 0; i < eventIds.size(); i++) {
      ReceivedEvent event = recorder.events.get(i);
      assertTrue(event.decoded(), event.failure());
      assertEquals(eventIds.get(i), event.record().get("EventIdentifier").toString());
      assertEquals(ReplayId.of(replayIds.get(i)), event.replayId());
      assertEquals(8, event.replayId().toBytes().length);
    }
    GenericRecord first = recorder.events.get(0).record();
    assertTrue(first.get("EventDate") instanceof Long, "datetimes are epoch millis");
    assertTrue(
        server.stats().maxPending() <= 100,
        "client asked for " + server.stats().maxPending() + " outstanding");
  }

  @Test
  void slowConsumerStopsTheStreamAtItsBacklogInsteadOfBuffering() throws Exception {
    Recorder recorder = new Recorder(false);
    try (PubSubSubscriber subscriber = subscribe(ReplayStart.earliest(), recorder, 100)) {
      recorder.awaitCount(100);
      // Without release no further credit is granted: the server sends nothing more.
      assertEquals(100, server.stats().eventsSent());
      assertEquals(100, subscriber.largestOutstanding());
      assertFalse(subscriber.awaitingServer(), "the backlog, not the server, holds the stream");
      assertTrue(
          subscriber.release(100), "the release asks again after the backlog had stopped it");
      recorder.awaitCount(200);
      assertFalse(
          subscriber.release(0), "its backlog is full again: releasing nothing asks nothing");
      assertTrue(server.stats().maxPending() <= 100);
    }
  }

  @Test
  void aReleaseWhileTheServerIsStillOwedEventsIsNoNewAsk() throws Exception {
    Recorder recorder = new Recorder(false);
    try (PubSubSubscriber subscriber = subscribe(ReplayStart.earliest(), recorder, 1_000)) {
      recorder.awaitCount(eventIds.size());
      assertTrue(subscriber.awaitingServer(), "the backlog had room: credit is still out");
      assertFalse(
          subscriber.release(eventIds.size()),
          "the stream was never stopped, so its silence already counts: nothing to tell");
    }
  }

  @Test
  void customReplayResumesExactlyAfterTheGivenEvent() throws Exception {
    int k = 123;
    Recorder recorder = new Recorder(true);
    try (PubSubSubscriber ignored =
        subscribe(ReplayStart.after(ReplayId.of(replayIds.get(k))), recorder, 1_000)) {
      recorder.awaitCount(eventIds.size() - k - 1);
    }
    assertEquals(eventIds.get(k + 1), recorder.events.get(0).eventId());
    assertEquals(
        eventIds.get(eventIds.size() - 1),
        recorder.events.get(recorder.events.size() - 1).eventId());
  }

  @Test
  void latestStartsAtTheTipAndSeesOnlyNewEvents() throws Exception {
    Recorder recorder = new Recorder(true);
    try (PubSubSubscriber ignored = subscribe(ReplayStart.latest(), recorder, 1_000)) {
      assertTrue(recorder.keepAlive.await(10, TimeUnit.SECONDS), "an idle stream gets keepalives");
      SimEvent fresh =
          new TrafficGenerator(SimulatedOrg.generate(4, 20))
              .day(LocalDate.of(2026, 3, 11)).stream()
                  .filter(e -> e.topic().equals(TOPIC))
                  .findFirst()
                  .orElseThrow();
      server.publish(TOPIC, fresh.eventIdentifier(), EventSchemas.encode(fresh.record()));
      recorder.awaitCount(1);
      assertEquals(fresh.eventIdentifier(), recorder.events.get(0).eventId());
    }
  }

  @Test
  void unknownReplayIdFailsWithTheDocumentedErrorCode() throws Exception {
    Recorder recorder = new Recorder(true);
    subscribe(ReplayStart.after(ReplayId.fromHex("00000000deadbeef")), recorder, 1_000);
    Throwable failure = recorder.error.get(10, TimeUnit.SECONDS);
    assertEquals(Status.Code.INVALID_ARGUMENT, PubSubErrors.statusCode(failure));
    assertEquals(PubSubErrors.REPLAY_ID_CORRUPTED, PubSubErrors.errorCode(failure).orElseThrow());
    assertTrue(Status.fromThrowable(failure).getDescription().contains("rpcId: "));
    assertTrue(recorder.events.isEmpty());
  }

  @Test
  void replayIdOutsideRetentionIsRejectedToo() throws Exception {
    server.topic(TOPIC).purgeBefore(200);
    Recorder recorder = new Recorder(true);
    subscribe(ReplayStart.after(ReplayId.of(replayIds.get(10))), recorder, 1_000);
    assertEquals(
        PubSubErrors.REPLAY_ID_CORRUPTED,
        PubSubErrors.errorCode(recorder.error.get(10, TimeUnit.SECONDS)).orElseThrow());
  }

  @Test
  void unknownTopicAndMissingAuthAreRefusedWithTheirCodes() {
    StatusRuntimeException noTopic =
        assertThrows(StatusRuntimeException.class, () -> client.topic("/event/NoSuchEventStream"));
    assertEquals(PubSubErrors.TOPIC_NOT_FOUND, PubSubErrors.errorCode(noTopic).orElseThrow());
    try (PubSubClient anonymous =
        new PubSubClient(
            new PubSubEndpoint("localhost", server.port(), server.certificate()),
            () ->
                new PubSubCredentials("", "https://sim.my.salesforce.com", "00D000000000001AAA"))) {
      StatusRuntimeException refused =
          assertThrows(StatusRuntimeException.class, () -> anonymous.topic(TOPIC));
      assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
      assertEquals(PubSubErrors.AUTH_ERROR, PubSubErrors.errorCode(refused).orElseThrow());
      assertFalse(refused.getStatus().getDescription().contains("any-token"));
    }
  }

  @Test
  void serviceUnavailableComesAsInternalAsOnSalesforceAndTheSchemaIsAskedForAgain()
      throws Exception {
    String schemaId = client.topic(TOPIC).getSchemaId();
    server.failSchemaRequests(1);
    StatusRuntimeException down =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                client
                    .blockingStub()
                    .getSchema(SchemaRequest.newBuilder().setSchemaId(schemaId).build()));
    assertEquals(Status.Code.INTERNAL, down.getStatus().getCode());
    assertEquals(PubSubErrors.SERVICE_UNAVAILABLE, PubSubErrors.errorCode(down).orElseThrow());
    assertTrue(
        down.getStatus().getDescription().startsWith("The service is unavailable. Try again later"),
        down.getStatus().getDescription());

    // The client's schema cache takes it as "not now": its events are to be read again.
    server.failSchemaRequests(1);
    assertThrows(
        SchemaCache.SchemaUnavailableException.class, () -> client.schemas().get(schemaId));
    assertEquals(EventSchemas.standard().schema(TOPIC), client.schemas().get(schemaId));
  }

  @Test
  void topicInfoNamesTheSchemaAndTheSchemaIsServed() throws Exception {
    var info = client.topic(TOPIC);
    assertTrue(info.getCanSubscribe());
    assertFalse(info.getCanPublish());
    assertEquals(22, info.getSchemaId().length());
    assertEquals(EventSchemas.standard().schema(TOPIC), client.schemas().get(info.getSchemaId()));
  }

  @Test
  void undecodablePayloadIsHandedOnWithItsReasonNotDropped() throws Exception {
    server.publishRaw(
        TOPIC,
        "garbage-1",
        EventSchemas.standard().schemaId(TOPIC),
        new byte[] {(byte) 0xff, (byte) 0xff, 0x01});
    server.publishRaw(TOPIC, "unknown-schema-1", "NoSuchSchemaId00000000", new byte[] {0});
    Recorder recorder = new Recorder(true);
    try (PubSubSubscriber ignored =
        subscribe(
            ReplayStart.after(ReplayId.of(replayIds.get(replayIds.size() - 1))), recorder, 1_000)) {
      recorder.awaitCount(2);
    }
    assertFalse(recorder.events.get(0).decoded());
    assertNull(recorder.events.get(0).record());
    assertFalse(recorder.events.get(1).decoded());
    assertTrue(
        recorder.events.get(1).failure().contains("NoSuchSchemaId00000000"),
        recorder.events.get(1).failure());
  }
}
