package io.leakwatch.engine;

import com.salesforce.eventbus.protobuf.TopicInfo;
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
 * One Pub/Sub subscription. Hands each batch to the detection verticle and releases its flow-control
 * credit only once the batch is processed; remembers the last processed replay id and resumes from
 * it, with exponential backoff and jitter, when the stream fails or the server closes it.
 */
public final class SubscriptionVerticle extends AbstractVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(SubscriptionVerticle.class);
  private static final long MAX_BACKOFF_MILLIS = 30_000;
  private static final DeliveryOptions BATCH_DELIVERY = new DeliveryOptions().setSendTimeout(300_000);

  private final PubSubClient client;
  private final String topic;
  private final ReplayStart initialStart;
  private final int maxBacklog;

  private PubSubSubscriber subscriber;
  private volatile ReplayId lastProcessed;
  private volatile long processed;
  private volatile boolean live;
  private volatile long reconnects;
  private int inFlight;
  private int failures;
  private boolean stopping;

  public SubscriptionVerticle(PubSubClient client, String topic, ReplayStart start, int maxBacklog) {
    this.client = client;
    this.topic = topic;
    this.initialStart = start;
    this.maxBacklog = maxBacklog;
  }

  @Override
  public void start(Promise<Void> started) {
    vertx.executeBlocking(() -> client.topic(topic)).onComplete(result -> {
      if (result.failed()) {
        started.fail(new IllegalStateException("topic " + topic + ": GetTopic failed: " + PubSubErrors.describe(result.cause())));
        return;
      }
      TopicInfo info = result.result();
      if (!info.getCanSubscribe()) {
        started.fail(new IllegalStateException("topic " + topic + ": the server does not allow this user to subscribe"));
        return;
      }
      subscribe(initialStart);
      LOG.info("subscribed to {} from {} (schema {})", topic, initialStart, info.getSchemaId());
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
      context.runOnContext(v -> {
        live = true;
        failures = 0;
        inFlight++;
        vertx.eventBus().<Integer>request(Messages.EVENTS, new Messages.EventBatch(topic, events), BATCH_DELIVERY)
            .onComplete(reply -> {
              inFlight--;
              if (reply.succeeded()) {
                lastProcessed = events.get(events.size() - 1).replayId();
                processed += events.size();
              } else {
                LOG.error("batch of {} events on {} was not confirmed processed: {}", events.size(), topic, reply.cause().toString());
              }
              from.release(events.size());
            });
      });
    }

    @Override
    public void onKeepAlive(String topic, ReplayId latest) {
      context.runOnContext(v -> {
        live = true;
        vertx.eventBus().send(Messages.TOPIC_IDLE, topic);
      });
    }

    @Override
    public void onError(String topic, Throwable failure) {
      context.runOnContext(v -> scheduleReconnect("stream failed: " + PubSubErrors.describe(failure),
          PubSubErrors.errorCode(failure).orElse("")));
    }

    @Override
    public void onCompleted(String topic) {
      context.runOnContext(v -> scheduleReconnect("server closed the stream", ""));
    }
  }

  private void scheduleReconnect(String why, String errorCode) {
    live = false;
    if (stopping) {
      return;
    }
    long base = Math.min(MAX_BACKOFF_MILLIS, 500L << Math.min(failures, 10));
    long delay = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    failures++;
    LOG.warn("subscription {}: {}; reconnecting in {} ms", topic, why, delay);
    boolean replayRejected = errorCode.equals(PubSubErrors.REPLAY_ID_CORRUPTED) || errorCode.equals(PubSubErrors.REPLAY_ID_VALIDATION_FAILED);
    vertx.setTimer(delay, id -> reconnect(replayRejected));
  }

  private void reconnect(boolean replayRejected) {
    if (stopping) {
      return;
    }
    if (inFlight > 0) {
      // Resume only from a position whose events are fully processed.
      vertx.setTimer(100, id -> reconnect(replayRejected));
      return;
    }
    ReplayStart start = lastProcessed == null || replayRejected ? fallback() : ReplayStart.after(lastProcessed);
    if (replayRejected) {
      LOG.error("subscription {}: the server rejected replay id {}; resuming from {}: events in between may be missing",
          topic, lastProcessed, start);
    }
    reconnects++;
    subscribe(start);
  }

  private ReplayStart fallback() {
    return initialStart.preset() == com.salesforce.eventbus.protobuf.ReplayPreset.CUSTOM ? ReplayStart.earliest() : initialStart;
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

  public boolean live() {
    return live;
  }

  public long reconnects() {
    return reconnects;
  }

  @Override
  public void stop() {
    stopping = true;
    if (subscriber != null) {
      subscriber.close();
    }
  }
}
