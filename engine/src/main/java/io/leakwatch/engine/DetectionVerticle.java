package io.leakwatch.engine;

import io.leakwatch.decision.Alert;
import io.leakwatch.loginpoll.RecentLogins;
import io.vertx.core.AbstractVerticle;
import java.util.List;

/**
 * Owns the detection pipeline. Deployed as a single worker instance, so Esper and Drools run off
 * the event loops, on one thread at a time. Batches from all subscriptions are merged into
 * event-time order first; a batch is answered (releasing its flow-control credit) once all its
 * events are processed.
 */
public final class DetectionVerticle extends AbstractVerticle {
  private static final long HEARTBEAT_MILLIS = 1_000;
  private static final long RELEASE_CHECK_MILLIS = 100;

  private final DetectionPipeline pipeline;
  private final EventTimeMerger merger;
  private final ProcessedJournal journal;
  private final RecentLogins logins;

  /**
   * The pipeline is built (rules compiled) by the caller, so a broken pack fails before anything
   * starts.
   *
   * @param maxWaitMillis how long an event may wait for a silent topic before it is processed
   *     anyway
   */
  public DetectionVerticle(
      DetectionPipeline pipeline,
      List<String> topics,
      long maxWaitMillis,
      java.nio.file.Path journalFile) {
    this(pipeline, topics, maxWaitMillis, journalFile, null, 0);
  }

  /**
   * @param logins the logins taken lately, when the LoginHistory poll runs beside the streams: a
   *     login the other source already delivered is not processed again; null without the poll
   * @param pollWaitMillis how long the poll may hold the streams back without progress
   */
  public DetectionVerticle(
      DetectionPipeline pipeline,
      List<String> topics,
      long maxWaitMillis,
      java.nio.file.Path journalFile,
      RecentLogins logins,
      long pollWaitMillis) {
    this.logins = logins;
    this.pipeline = pipeline;
    this.merger = new EventTimeMerger(topics, maxWaitMillis, System.currentTimeMillis());
    if (logins != null) {
      merger.limitWait(
          io.leakwatch.cep.TopicTypes.LOGIN_HISTORY, pollWaitMillis, System.currentTimeMillis());
    }
    this.journal = journalFile == null ? null : new ProcessedJournal(journalFile);
  }

  @Override
  public void start() {
    vertx
        .eventBus()
        .<Messages.EventBatch>consumer(
            Messages.EVENTS,
            message -> {
              Messages.EventBatch batch = message.body();
              merger.offer(
                  batch.topic(),
                  batch.events(),
                  () -> {
                    if (journal != null) {
                      journal.force();
                    }
                    message.reply(batch.events().size());
                  },
                  System.currentTimeMillis());
              drain();
            });
    vertx
        .eventBus()
        .<CompiledPack>consumer(
            Messages.RELOAD,
            message -> {
              try {
                pipeline.reload(message.body());
                message.reply(message.body().pack().sha256());
              } catch (RuntimeException e) {
                message.fail(1, e.getMessage());
              }
            });
    vertx
        .eventBus()
        .<String>consumer(
            Messages.TOPIC_DOWN,
            message -> merger.down(message.body(), System.currentTimeMillis()));
    vertx
        .eventBus()
        .<Messages.Watermark>consumer(
            Messages.TOPIC_WATERMARK,
            message -> {
              merger.advance(
                  message.body().topic(), message.body().eventTime(), System.currentTimeMillis());
              drain();
            });
    vertx
        .eventBus()
        .<String>consumer(
            Messages.TOPIC_IDLE,
            message -> {
              merger.idle(message.body(), System.currentTimeMillis());
              drain();
              publish(pipeline.onIdle(System.currentTimeMillis()));
            });
    vertx
        .eventBus()
        .<Messages.ClockTick>consumer(
            Messages.CLOCK,
            message -> {
              Long target = message.body().eventTime();
              publish(
                  target == null
                      ? pipeline.onIdle(System.currentTimeMillis())
                      : pipeline.advanceTo(target));
              message.reply(pipeline.eventTime());
            });
    vertx.setPeriodic(
        HEARTBEAT_MILLIS,
        id -> {
          drain();
          publish(pipeline.onIdle(System.currentTimeMillis()));
        });
    vertx.setPeriodic(RELEASE_CHECK_MILLIS, id -> drain());
  }

  private void drain() {
    long wall = System.currentTimeMillis();
    for (EventTimeMerger.Pending pending : merger.release(wall)) {
      if (logins != null && !logins.admit(pending.event())) {
        // The same login from the other source (stream and LoginHistory): counted there, once.
        pending.batch().done();
        continue;
      }
      publish(pipeline.process(pending.event(), wall));
      if (journal != null) {
        journal.processed(pending.event());
      }
      pending.batch().done();
    }
  }

  private void publish(List<Alert> alerts) {
    for (Alert alert : alerts) {
      vertx.eventBus().publish(Messages.ALERTS, alert);
    }
  }

  @Override
  public void stop() throws java.io.IOException {
    pipeline.close();
    if (journal != null) {
      journal.close();
    }
  }
}
