package io.leakwatch.engine;

import io.leakwatch.decision.Alert;
import io.leakwatch.pubsub.ReceivedEvent;
import io.vertx.core.AbstractVerticle;
import java.util.List;

/**
 * Owns the detection pipeline. Deployed as a single worker instance, so Esper and Drools run off the
 * event loops, on one thread at a time, in the order batches arrive.
 */
public final class DetectionVerticle extends AbstractVerticle {
  private static final long HEARTBEAT_MILLIS = 1_000;

  private final DetectionPipeline pipeline;

  /** The pipeline is built (rules compiled) by the caller, so a broken pack fails before anything starts. */
  public DetectionVerticle(DetectionPipeline pipeline) {
    this.pipeline = pipeline;
  }

  @Override
  public void start() {
    vertx.eventBus().<Messages.EventBatch>consumer(Messages.EVENTS, message -> {
      Messages.EventBatch batch = message.body();
      long wall = System.currentTimeMillis();
      for (ReceivedEvent event : batch.events()) {
        publish(pipeline.process(event, wall));
      }
      message.reply(batch.events().size());
    });
    vertx.eventBus().<Messages.ClockTick>consumer(Messages.CLOCK, message -> {
      Long target = message.body().eventTime();
      publish(target == null ? pipeline.onIdle(System.currentTimeMillis()) : pipeline.advanceTo(target));
      message.reply(pipeline.eventTime());
    });
    vertx.setPeriodic(HEARTBEAT_MILLIS, id -> publish(pipeline.onIdle(System.currentTimeMillis())));
  }

  private void publish(List<Alert> alerts) {
    for (Alert alert : alerts) {
      vertx.eventBus().publish(Messages.ALERTS, alert);
    }
  }

  @Override
  public void stop() {
    pipeline.close();
  }
}
