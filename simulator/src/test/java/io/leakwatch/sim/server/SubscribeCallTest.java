package io.leakwatch.sim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.salesforce.eventbus.protobuf.FetchRequest;
import com.salesforce.eventbus.protobuf.FetchResponse;
import com.salesforce.eventbus.protobuf.ProducerEvent;
import com.salesforce.eventbus.protobuf.ReplayPreset;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A keepalive tells the client that no events exist (the engine then stops waiting for the stream
 * in its event-time merge), so it must never be sent while events are waiting for the transport.
 */
class SubscribeCallTest {
  private static final String TOPIC = "/event/ApiEventStream";

  /** A timer whose periodic tasks never run by themselves: the test calls the tick. */
  private final ScheduledThreadPoolExecutor timer =
      new ScheduledThreadPoolExecutor(1) {
        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(
            Runnable command, long initialDelay, long period, TimeUnit unit) {
          return super.schedule(command, 1, TimeUnit.DAYS);
        }
      };

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  @Test
  void aStreamWhoseTransportWasBusyGetsItsEventsNotAKeepalive() {
    TopicLog log = new TopicLog(TOPIC, "schema-1", true, 1);
    for (int i = 0; i < 20; i++) {
      log.append(ProducerEvent.newBuilder().setId("e" + i).setSchemaId("schema-1").build());
    }
    Responses out = new Responses();
    out.ready = false; // the client is slow to read: HTTP/2 flow control holds the stream
    SubscribeCall call = call(log, out);
    call.onNext(
        FetchRequest.newBuilder()
            .setTopicName(TOPIC)
            .setReplayPreset(ReplayPreset.EARLIEST)
            .setNumRequested(10)
            .build());
    assertTrue(out.sent.isEmpty(), "nothing can be sent while the transport is not ready");

    out.ready = true; // ready again, and the keepalive tick comes before the ready callback
    call.tick();

    assertTrue(
        out.sent.stream().noneMatch(r -> r.getEventsCount() == 0),
        "no keepalive while events exist: " + out.sent);
    assertEquals(10, out.sent.stream().mapToInt(FetchResponse::getEventsCount).sum());
  }

  @Test
  void aQuietTopicsKeepaliveCarriesAReplayIdToResumeAfter() {
    TopicLog log = new TopicLog(TOPIC, "schema-1", true, 1);
    Responses out = new Responses();
    SubscribeCall call = call(log, out);
    call.onNext(
        FetchRequest.newBuilder()
            .setTopicName(TOPIC)
            .setReplayPreset(ReplayPreset.LATEST)
            .setNumRequested(10)
            .build());
    call.tick();

    assertEquals(1, out.sent.size());
    assertEquals(0, out.sent.get(0).getEventsCount());
    assertEquals(10, out.sent.get(0).getPendingNumRequested());
    ByteString position = out.sent.get(0).getLatestReplayId();
    assertEquals(8, position.size(), "a topic with no events has a position too");

    // Published after the keepalive: a subscription from its replay id gets it, and nothing older.
    log.append(ProducerEvent.newBuilder().setId("e0").setSchemaId("schema-1").build());
    assertEquals(0, log.indexAfter(position));
    assertEquals(null, log.keepAliveReplayId(0), "no keepalive while e0 is unsent");
    assertTrue(log.indexAfter(log.keepAliveReplayId(1)) == 1, "a later keepalive is past e0");
  }

  @Test
  void aKeepalivesReplayIdExpiresWithTheEventsAroundIt() {
    TopicLog log = new TopicLog(TOPIC, "schema-1", true, 1);
    log.append(ProducerEvent.newBuilder().setId("e0").setSchemaId("schema-1").build());
    ByteString before = log.keepAliveReplayId(1);
    log.append(ProducerEvent.newBuilder().setId("e1").setSchemaId("schema-1").build());
    ByteString after = log.keepAliveReplayId(2);

    log.purgeBefore(1); // e0 leaves the retention window
    assertEquals(-1, log.indexAfter(before), "given out before the oldest event kept");
    assertEquals(2, log.indexAfter(after));
    log.purgeBefore(2); // everything leaves: every id given out so far with it
    assertEquals(-1, log.indexAfter(after));
    assertEquals(
        2, log.indexAfter(log.keepAliveReplayId(2)), "a keepalive after the purge is kept");
    assertEquals(-1, log.indexAfter(TopicLog.encode(1_000_000)), "never given out");
  }

  /** A call whose keepalive is due at every tick (the tick is the test's to call). */
  private SubscribeCall call(TopicLog log, Responses out) {
    return new SubscribeCall(
        Map.of(TOPIC, log),
        out,
        timer,
        Duration.ofNanos(1),
        Duration.ofMinutes(2),
        new SubscribeStats(),
        () -> false);
  }

  /** The server side of one call, recording what is sent. */
  private static final class Responses extends ServerCallStreamObserver<FetchResponse> {
    final List<FetchResponse> sent = new ArrayList<>();
    volatile boolean ready = true;

    @Override
    public boolean isReady() {
      return ready;
    }

    @Override
    public void onNext(FetchResponse value) {
      sent.add(value);
    }

    @Override
    public void onError(Throwable t) {
      throw new AssertionError("the call failed", t);
    }

    @Override
    public void onCompleted() {}

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public void setOnCancelHandler(Runnable onCancelHandler) {}

    @Override
    public void setCompression(String compression) {}

    @Override
    public void setOnReadyHandler(Runnable onReadyHandler) {}

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void request(int count) {}

    @Override
    public void setMessageCompression(boolean enable) {}
  }
}
