package io.leakwatch.sim.server;

import com.google.protobuf.ByteString;
import com.salesforce.eventbus.protobuf.FetchRequest;
import com.salesforce.eventbus.protobuf.FetchResponse;
import com.salesforce.eventbus.protobuf.ReplayPreset;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.leakwatch.pubsub.PubSubErrors;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One Subscribe stream, behaving as Salesforce documents: the first request fixes topic and start;
 * requested counts add up to at most 100 outstanding; events are sent only against that credit; an
 * empty response with the latest replay id keeps an idle stream alive; a stream left with no credit
 * and no new request is closed.
 */
final class SubscribeCall implements StreamObserver<FetchRequest> {
  static final int MAX_PENDING = 100;

  private final Map<String, TopicLog> topics;
  private final ServerCallStreamObserver<FetchResponse> out;
  private final ScheduledExecutorService timer;
  private final Duration keepAlive;
  private final Duration idleClose;
  private final SubscribeStats stats;
  private final java.util.function.BooleanSupplier stalled;
  private final String rpcId = UUID.randomUUID().toString();
  private final Runnable onAppend = this::drain;

  private TopicLog log;
  private int next;
  private int pending;
  private boolean done;
  private long lastResponseNanos = System.nanoTime();
  private long lastRequestNanos = System.nanoTime();
  private ScheduledFuture<?> ticker;

  SubscribeCall(
      Map<String, TopicLog> topics,
      ServerCallStreamObserver<FetchResponse> out,
      ScheduledExecutorService timer,
      Duration keepAlive,
      Duration idleClose,
      SubscribeStats stats,
      java.util.function.BooleanSupplier stalled) {
    this.stalled = stalled;
    this.topics = topics;
    this.out = out;
    this.timer = timer;
    this.keepAlive = keepAlive;
    this.idleClose = idleClose;
    this.stats = stats;
    out.setOnReadyHandler(this::drain);
    out.setOnCancelHandler(this::finish);
  }

  @Override
  public synchronized void onNext(FetchRequest request) {
    if (done) {
      return;
    }
    lastRequestNanos = System.nanoTime();
    if (request.getNumRequested() <= 0) {
      fail(
          Status.INVALID_ARGUMENT,
          PubSubErrors.REQUESTED_EVENTS_INVALID,
          "The number of requested events must be greater than 0, was "
              + request.getNumRequested()
              + ".");
      return;
    }
    if (log == null) {
      if (!start(request)) {
        return;
      }
    } else if (!request.getTopicName().isEmpty() && !request.getTopicName().equals(log.topic())) {
      fail(
          Status.INVALID_ARGUMENT,
          PubSubErrors.TOPIC_NOT_FOUND,
          "A subscription stream serves one topic; a later request named another topic.");
      return;
    }
    stats.recordRequested(pending + request.getNumRequested());
    pending = Math.min(MAX_PENDING, pending + request.getNumRequested());
    drain();
  }

  private boolean start(FetchRequest request) {
    TopicLog topic = topics.get(request.getTopicName());
    if (topic == null) {
      fail(
          Status.INVALID_ARGUMENT,
          PubSubErrors.TOPIC_NOT_FOUND,
          "Topic " + request.getTopicName() + " does not exist or you lack access.");
      return false;
    }
    int position;
    if (request.getReplayPreset() == ReplayPreset.EARLIEST) {
      position = topic.firstIndex();
    } else if (request.getReplayPreset() == ReplayPreset.CUSTOM) {
      if (request.getReplayId().isEmpty()) {
        fail(
            Status.INVALID_ARGUMENT,
            PubSubErrors.REPLAY_ID_VALIDATION_FAILED,
            "A CUSTOM replay needs a replay id.");
        return false;
      }
      position = topic.indexAfter(request.getReplayId());
      if (position < 0) {
        fail(
            Status.INVALID_ARGUMENT,
            PubSubErrors.REPLAY_ID_CORRUPTED,
            "The replay id is invalid or outside the retention window.");
        return false;
      }
    } else {
      position = topic.endIndex();
    }
    log = topic;
    next = position;
    log.onAppend(onAppend);
    long tick = Math.max(50, Math.min(keepAlive.toMillis(), idleClose.toMillis()) / 4);
    ticker = timer.scheduleAtFixedRate(this::tick, tick, tick, TimeUnit.MILLISECONDS);
    stats.opened();
    return true;
  }

  /**
   * Sends what the credit allows; also runs when events are appended and when the transport is
   * ready.
   */
  synchronized void drain() {
    if (done || log == null || stalled.getAsBoolean()) {
      return;
    }
    int end = log.endIndex();
    while (pending > 0 && next < end && out.isReady()) {
      int count = Math.min(pending, end - next);
      FetchResponse.Builder response = FetchResponse.newBuilder().setRpcId(rpcId);
      for (int i = 0; i < count; i++) {
        response.addEvents(log.at(next + i));
      }
      next += count;
      pending -= count;
      response
          .setLatestReplayId(response.getEvents(count - 1).getReplayId())
          .setPendingNumRequested(pending);
      out.onNext(response.build());
      stats.sent(count);
      lastResponseNanos = System.nanoTime();
    }
  }

  /** Runs on the timer: closes an abandoned stream, keeps an idle one alive. */
  synchronized void tick() {
    if (done || stalled.getAsBoolean()) {
      return;
    }
    long now = System.nanoTime();
    if (pending == 0 && now - Math.max(lastRequestNanos, lastResponseNanos) > idleClose.toNanos()) {
      // Salesforce closes a stream whose client stopped asking for events.
      finish();
      out.onCompleted();
      return;
    }
    if (next < log.endIndex()) {
      // Events are waiting (the transport was busy and its ready callback has not run yet): send
      // them. A keepalive says that no events exist, and the client stops waiting for this stream.
      drain();
      return;
    }
    if (pending > 0 && now - lastResponseNanos > keepAlive.toNanos() && out.isReady()) {
      ByteString position = log.keepAliveReplayId(next);
      if (position == null) {
        drain(); // appended since the check above
        return;
      }
      out.onNext(
          FetchResponse.newBuilder()
              .setRpcId(rpcId)
              .setLatestReplayId(position)
              .setPendingNumRequested(pending)
              .build());
      stats.keepAlive();
      lastResponseNanos = now;
    }
  }

  private void fail(Status status, String code, String message) {
    finish();
    var error = RpcErrors.error(status, code, message);
    out.onError(error);
  }

  private synchronized void finish() {
    if (done) {
      return;
    }
    done = true;
    if (ticker != null) {
      ticker.cancel(false);
    }
    if (log != null) {
      log.removeListener(onAppend);
    }
  }

  /** Drops the stream as a failing server would (fault injection). */
  synchronized void drop(Status status) {
    if (!done) {
      finish();
      out.onError(status.asRuntimeException());
    }
  }

  @Override
  public void onError(Throwable t) {
    finish();
  }

  @Override
  public synchronized void onCompleted() {
    finish();
    out.onCompleted();
  }
}
