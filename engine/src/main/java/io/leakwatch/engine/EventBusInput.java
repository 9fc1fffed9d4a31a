package io.leakwatch.engine;

import io.leakwatch.cep.TopicTypes;
import io.leakwatch.checkpoint.MonitoringGap;
import io.leakwatch.loginpoll.DetectionInput;
import io.leakwatch.pubsub.ReceivedEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.List;

/**
 * The LoginHistory poll's way into detection over the event bus: its rows as a batch of the source
 * {@link TopicTypes#LOGIN_HISTORY}, answered once processed; then a flush, answered once their
 * alerts are delivered; its progress as a watermark for the event-time merge.
 */
final class EventBusInput implements DetectionInput {
  private static final DeliveryOptions BATCH_DELIVERY =
      new DeliveryOptions().setSendTimeout(300_000);
  private static final DeliveryOptions FLUSH_DELIVERY =
      new DeliveryOptions().setSendTimeout(600_000);

  private final Vertx vertx;
  private final boolean drill;

  EventBusInput(Vertx vertx, boolean drill) {
    this.vertx = vertx;
    this.drill = drill;
  }

  @Override
  public Future<Void> process(List<ReceivedEvent> events) {
    return vertx
        .eventBus()
        .request(
            Messages.EVENTS,
            new Messages.EventBatch(TopicTypes.LOGIN_HISTORY, events),
            BATCH_DELIVERY)
        .compose(
            processed -> vertx.eventBus().request(Messages.ALERTS_FLUSH, "flush", FLUSH_DELIVERY))
        .mapEmpty();
  }

  @Override
  public void idle() {
    vertx
        .eventBus()
        .send(Messages.TOPIC_IDLE, new Messages.TopicIdle(TopicTypes.LOGIN_HISTORY, null));
  }

  @Override
  public void gap(String reason, long since, String resumesFrom) {
    vertx
        .eventBus()
        .publish(
            Messages.ALERTS,
            MonitoringGap.alert(
                TopicTypes.LOGIN_HISTORY,
                since,
                System.currentTimeMillis(),
                reason,
                resumesFrom,
                drill));
  }

  @Override
  public void readUpTo(long eventTime) {
    vertx
        .eventBus()
        .send(
            Messages.TOPIC_WATERMARK, new Messages.Watermark(TopicTypes.LOGIN_HISTORY, eventTime));
  }
}
