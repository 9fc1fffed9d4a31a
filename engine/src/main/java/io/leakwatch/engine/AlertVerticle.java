package io.leakwatch.engine;

import io.leakwatch.alert.AlertSink;
import io.leakwatch.decision.Alert;
import io.vertx.core.AbstractVerticle;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Delivers alerts to every configured sink. A worker: sinks write files and may block. */
public final class AlertVerticle extends AbstractVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(AlertVerticle.class);

  private final List<AlertSink> sinks;
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

  public AlertVerticle(List<AlertSink> sinks) {
    this.sinks = List.copyOf(sinks);
  }

  @Override
  public void start() {
    vertx.eventBus().<Alert>consumer(Messages.ALERTS, message -> deliver(message.body()));
    // Answered in order after every alert published before the request: a flush barrier.
    vertx.eventBus().<String>consumer(Messages.ALERTS_FLUSH, message -> message.reply(delivered.get()));
  }

  private void deliver(Alert alert) {
    for (AlertSink sink : sinks) {
      try {
        sink.accept(alert);
        delivered.incrementAndGet();
      } catch (Exception e) {
        failed.incrementAndGet();
        LOG.error("alert {} of rule {} could not be delivered to {}: {}", alert.id(), alert.ruleId(),
            sink.getClass().getSimpleName(), e.toString());
      }
    }
  }

  public long delivered() {
    return delivered.get();
  }

  public long failed() {
    return failed.get();
  }

  @Override
  public void stop() throws Exception {
    for (AlertSink sink : sinks) {
      sink.close();
    }
  }
}
