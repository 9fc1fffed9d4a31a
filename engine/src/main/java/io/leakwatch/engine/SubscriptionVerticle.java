package io.leakwatch.engine;

import com.salesforce.eventbus.protobuf.TopicInfo;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.checkpoint.Checkpoint;
import io.leakwatch.checkpoint.MonitoringGap;
import io.leakwatch.checkpoint.ResumeTracker;
import io.leakwatch.pubsub.PubSubClient;
import io.leakwatch.pubsub.PubSubErrors;
import io.leakwatch.pubsub.PubSubSubscriber;
import io.leakwatch.pubsub.ReceivedEvent;
import io.leakwatch.pubsub.ReplayId;
import io.leakwatch.pubsub.ReplayStart;
import io.leakwatch.pubsub.SubscriptionListener;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Pub/Sub subscription. Hands each batch to the detection verticle and releases its
 * flow-control credit only once the batch is processed; then sends the topic's new position to be
 * checkpointed behind the batch's alerts. Reopens the stream from the last processed replay id,
 * with exponential backoff and jitter, when it fails, when the server closes it, or when it goes
 * stale (no events and no keepalive for too long). When the server rejects the position, it starts
 * from the fallback and raises a monitoring-gap alert.
 */
public final class SubscriptionVerticle extends AbstractVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(SubscriptionVerticle.class);
  private static final long MAX_BACKOFF_MILLIS = 30_000;
  private static final DeliveryOptions BATCH_DELIVERY =
      new DeliveryOptions().setSendTimeout(300_000);
  private static final DeliveryOptions COMMIT_DELIVERY =
      new DeliveryOptions().setSendTimeout(600_000);

  private final PubSubClient client;
  private final TokenSource tokens;
  private final String topic;
  private final ReplayStart configuredStart;
  private final Checkpoint checkpoint;
  private final Durability durability;
  private final int maxBacklog;
  private final boolean drill;
  private final ResumeTracker tracker;

  private PubSubSubscriber subscriber;
  private volatile ReplayId lastProcessed;
  private volatile long lastEventTime;
  private volatile long processed;
  private volatile boolean live;
  private volatile long reconnects;
  private volatile long gaps;
  private int inFlight;
  private int failures;
  private boolean reconnecting;
  private boolean stopping;

  /**
   * @param checkpoint where this topic stood when the engine last stopped, or null
   */
  public SubscriptionVerticle(
      PubSubClient client,
      TokenSource tokens,
      String topic,
      ReplayStart configuredStart,
      Checkpoint checkpoint,
      Durability durability,
      int maxBacklog,
      boolean drill) {
    this.client = client;
    this.tokens = tokens;
    this.topic = topic;
    this.configuredStart = configuredStart;
    this.checkpoint = checkpoint;
    this.durability = durability;
    this.maxBacklog = maxBacklog;
    this.drill = drill;
    this.tracker = new ResumeTracker(topic, durability.resumeHorizonMillis(), checkpoint);
    if (checkpoint != null) {
      lastEventTime = checkpoint.lastEventTime();
    }
  }

  @Override
  public void start(Promise<Void> started) {
    vertx
        .executeBlocking(() -> client.topic(topic))
        .onComplete(
            result -> {
              if (result.failed() && drill) {
                // A drill org's simulator only listens while a drill runs: keep trying instead of
                // failing the start.
                LOG.warn(
                    "drill topic {}: the simulator is not reachable ({}); subscribing as soon as it is",
                    topic,
                    PubSubErrors.describe(result.cause()));
                subscribe(
                    checkpoint != null && checkpoint.resumeAfter() != null
                        ? ReplayStart.after(checkpoint.resumeAfter())
                        : configuredStart);
                vertx.setPeriodic(
                    Math.max(50, durability.staleAfterMillis() / 4), id -> watchdog());
                started.complete();
                return;
              }
              if (result.failed()) {
                started.fail(
                    new IllegalStateException(
                        "topic "
                            + topic
                            + ": GetTopic failed: "
                            + PubSubErrors.describe(result.cause())));
                return;
              }
              TopicInfo info = result.result();
              if (!info.getCanSubscribe()) {
                started.fail(
                    new IllegalStateException(
                        "topic " + topic + ": the server does not allow this user to subscribe"));
                return;
              }
              ReplayStart start =
                  checkpoint != null && checkpoint.resumeAfter() != null
                      ? ReplayStart.after(checkpoint.resumeAfter())
                      : configuredStart;
              subscribe(start);
              LOG.info("subscribed to {} from {} (schema {})", topic, start, info.getSchemaId());
              long check = Math.max(50, durability.staleAfterMillis() / 4);
              vertx.setPeriodic(check, id -> watchdog());
              started.complete();
            });
  }

  private void subscribe(ReplayStart start) {
    subscriber = client.subscribe(topic, start, maxBacklog, new Listener());
  }

  private final class Listener implements SubscriptionListener {
    @Override
    public void onEvents(String topic, List<ReceivedEvent> events) {
      PubSubSubscriber from = subscriber;
      context.runOnContext(
          v -> {
            live = true;
            failures = 0;
            inFlight++;
            vertx
                .eventBus()
                .<Integer>request(
                    Messages.EVENTS, new Messages.EventBatch(topic, events), BATCH_DELIVERY)
                .onComplete(
                    reply -> {
                      inFlight--;
                      if (reply.succeeded()) {
                        // Credit comes back only once the batch's alerts are delivered and its
                        // position
                        // committed: a slow sink slows the stream instead of filling memory.
                        batchProcessed(events).onComplete(committed -> from.release(events.size()));
                      } else {
                        LOG.error(
                            "batch of {} events on {} was not confirmed processed: {}",
                            events.size(),
                            topic,
                            reply.cause().toString());
                        from.release(events.size());
                      }
                    });
          });
    }

    @Override
    public void onKeepAlive(String topic, ReplayId latest) {
      context.runOnContext(
          v -> {
            live = true;
            vertx.eventBus().send(Messages.TOPIC_IDLE, topic);
          });
    }

    @Override
    public void onError(String topic, Throwable failure) {
      context.runOnContext(
          v ->
              scheduleReconnect(
                  "stream failed: " + PubSubErrors.describe(failure),
                  PubSubErrors.errorCode(failure).orElse("")));
    }

    @Override
    public void onCompleted(String topic) {
      context.runOnContext(v -> scheduleReconnect("server closed the stream", ""));
    }
  }

  private io.vertx.core.Future<?> batchProcessed(List<ReceivedEvent> events) {
    ReceivedEvent last = events.get(events.size() - 1);
    lastProcessed = last.replayId();
    long time = lastEventTime;
    for (ReceivedEvent event : events) {
      time = Math.max(time, EventTimes.of(event, time));
    }
    lastEventTime = time;
    processed += events.size();
    tracker.processed(last.replayId(), time);
    return vertx
        .eventBus()
        .request(Messages.CHECKPOINT, tracker.checkpoint(), COMMIT_DELIVERY)
        .onFailure(
            e ->
                LOG.error(
                    "position of {} not confirmed committed (alert sinks stuck?): {}",
                    topic,
                    e.toString()));
  }

  private void watchdog() {
    if (stopping || reconnecting || subscriber == null) {
      return;
    }
    long silentMillis = (System.nanoTime() - subscriber.lastResponseNanos()) / 1_000_000;
    if (silentMillis >= durability.staleAfterMillis()) {
      subscriber.close();
      scheduleReconnect("stream stale: no events or keepalive for " + silentMillis + " ms", "");
    }
  }

  private void scheduleReconnect(String why, String errorCode) {
    live = false;
    if (stopping || reconnecting) {
      return;
    }
    vertx.eventBus().send(Messages.TOPIC_DOWN, topic);
    reconnecting = true;
    long base = Math.min(MAX_BACKOFF_MILLIS, 500L << Math.min(failures, 10));
    long delay = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    failures++;
    LOG.warn("subscription {}: {}; reconnecting in {} ms", topic, why, delay);
    boolean positionRejected =
        errorCode.equals(PubSubErrors.REPLAY_ID_CORRUPTED)
            || errorCode.equals(PubSubErrors.REPLAY_ID_VALIDATION_FAILED);
    if (errorCode.equals(PubSubErrors.AUTH_ERROR)) {
      // The token expired or was revoked: get a new one first, then resume where processing
      // stopped.
      vertx
          .executeBlocking(tokens::refresh, false)
          .onComplete(
              refreshed -> {
                if (refreshed.failed()) {
                  LOG.error(
                      "subscription {}: token refresh failed: {}",
                      topic,
                      refreshed.cause().getMessage());
                } else {
                  LOG.info("subscription {}: access token refreshed", topic);
                }
                vertx.setTimer(delay, id -> reconnect(false));
              });
      return;
    }
    vertx.setTimer(delay, id -> reconnect(positionRejected));
  }

  private void reconnect(boolean positionRejected) {
    if (stopping) {
      return;
    }
    if (inFlight > 0) {
      // Resume only from a position whose events are fully processed.
      vertx.setTimer(100, id -> reconnect(positionRejected));
      return;
    }
    reconnecting = false;
    ReplayId resumeAfter =
        lastProcessed != null
            ? lastProcessed
            : checkpoint == null ? null : checkpoint.resumeAfter();
    ReplayStart start = resumeAfter == null ? configuredStart : ReplayStart.after(resumeAfter);
    if (positionRejected) {
      start = durability.fallback();
      gaps++;
      LOG.error(
          "subscription {}: the server rejected replay id {}; resuming from {}. Events in between may never be seen.",
          topic,
          resumeAfter,
          start);
      vertx
          .eventBus()
          .publish(
              Messages.ALERTS,
              MonitoringGap.alert(
                  topic,
                  lastEventTime,
                  System.currentTimeMillis(),
                  "the server rejected stored replay id "
                      + resumeAfter
                      + " (expired past the retention window, or corrupt)",
                  start.toString(),
                  drill));
    }
    reconnects++;
    subscribe(start);
  }

  public String topic() {
    return topic;
  }

  /** Events confirmed processed on this subscription since start. */
  public long processed() {
    return processed;
  }

  public ReplayId lastProcessed() {
    return lastProcessed;
  }

  /** Event time (epoch millis) of the newest event processed on this topic, 0 before the first. */
  public long lastEventTime() {
    return lastEventTime;
  }

  public boolean live() {
    return live;
  }

  public long reconnects() {
    return reconnects;
  }

  /** Monitoring gaps recorded on this subscription since start. */
  public long gaps() {
    return gaps;
  }

  @Override
  public void stop() {
    stopping = true;
    if (subscriber != null) {
      subscriber.close();
    }
  }
}
