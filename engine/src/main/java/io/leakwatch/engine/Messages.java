package io.leakwatch.engine;

import io.leakwatch.checkpoint.Checkpoint;
import io.leakwatch.decision.Alert;
import io.leakwatch.pubsub.ReceivedEvent;
import io.leakwatch.pubsub.ReplayId;
import io.vertx.core.Vertx;
import java.util.List;

/** The typed messages verticles exchange, and the event-bus addresses they travel on. */
public final class Messages {
  /** Subscriptions → detection: a batch of events, answered with the number processed. */
  public static final String EVENTS = "leakwatch.events";

  /** Detection → sinks: every alert, published. */
  public static final String ALERTS = "leakwatch.alerts";

  /** Anyone → sinks: answered once every alert published before it was delivered. */
  public static final String ALERTS_FLUSH = "leakwatch.alerts.flush";

  /**
   * Subscriptions → sinks: a topic's new position. Travels behind the alerts of the events it
   * covers, so it is saved only after they are delivered.
   */
  public static final String CHECKPOINT = "leakwatch.checkpoint";

  /**
   * Subscriptions → detection: the server sent a keepalive; this topic has nothing pending (a
   * {@link TopicIdle}).
   */
  public static final String TOPIC_IDLE = "leakwatch.topic.idle";

  /** A polled source (LoginHistory) → detection: it has read everything up to this event time. */
  public static final String TOPIC_WATERMARK = "leakwatch.topic.watermark";

  /**
   * Subscriptions → detection: this topic's stream had no credit (its consumer held it back) and
   * now asks the server for events again; its silence from now on counts.
   */
  public static final String TOPIC_OWED = "leakwatch.topic.owed";

  /** Subscriptions → detection: this topic's stream is down and being reopened. */
  public static final String TOPIC_DOWN = "leakwatch.topic.down";

  /** Anyone → detection: replace the rules with this compiled pack; answered once it runs. */
  public static final String RELOAD = "leakwatch.rules.reload";

  /** Anyone → detection: a request to move event time on. */
  public static final String CLOCK = "leakwatch.clock";

  private Messages() {}

  /**
   * A subscription → detection batch. {@code owed}: the server was still owed events after it (see
   * {@link io.leakwatch.pubsub.SubscriptionListener#onEvents(String, List, boolean)}).
   */
  public record EventBatch(String topic, List<ReceivedEvent> events, boolean owed) {
    /** A batch from a source that may not deliver more until this one is processed. */
    public EventBatch(String topic, List<ReceivedEvent> events) {
      this(topic, events, false);
    }
  }

  /** A source has delivered everything up to {@code eventTime}. */
  public record Watermark(String topic, long eventTime) {}

  /**
   * A topic has nothing pending. {@code position}: the keepalive's replay id, before which the
   * server has nothing more for the topic; null when it gave none, or the source has no replay ids.
   */
  public record TopicIdle(String topic, ReplayId position) {}

  /** Move event time: to {@code eventTime} when set, else just let idle time flow. */
  public record ClockTick(Long eventTime) {}

  static void registerCodecs(Vertx vertx) {
    vertx.eventBus().registerDefaultCodec(EventBatch.class, new LocalCodec<>(EventBatch.class));
    vertx.eventBus().registerDefaultCodec(ClockTick.class, new LocalCodec<>(ClockTick.class));
    vertx.eventBus().registerDefaultCodec(Watermark.class, new LocalCodec<>(Watermark.class));
    vertx.eventBus().registerDefaultCodec(TopicIdle.class, new LocalCodec<>(TopicIdle.class));
    vertx.eventBus().registerDefaultCodec(Alert.class, new LocalCodec<>(Alert.class));
    vertx.eventBus().registerDefaultCodec(Checkpoint.class, new LocalCodec<>(Checkpoint.class));
    vertx.eventBus().registerDefaultCodec(CompiledPack.class, new LocalCodec<>(CompiledPack.class));
  }
}
