package io.leakwatch.engine;

import io.leakwatch.alert.AlertSink;
import io.leakwatch.checkpoint.AlertLedger;
import io.leakwatch.checkpoint.Checkpoint;
import io.leakwatch.checkpoint.CheckpointStore;
import io.leakwatch.decision.Alert;
import io.vertx.core.AbstractVerticle;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers alerts to every sink, then commits positions. A worker: sinks write files and may block.
 * Alerts and checkpoints arrive in one ordered queue, so a checkpoint is saved only after every
 * alert of the events it covers has been delivered. An alert the ledger already holds (a replay
 * after restart) is not delivered again.
 */
public final class AlertVerticle extends AbstractVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(AlertVerticle.class);
  private static final long SAVE_EVERY_MILLIS = 1_000;
  private static final long FIRST_RETRY_MILLIS = 250;
  private static final long MAX_RETRY_MILLIS = 30_000;
  private volatile boolean closing;

  /** Set when an alert was given up at shutdown: no position after it may be saved. */
  private volatile boolean abandoned;

  private final List<AlertSink> sinks;
  private final AlertLedger ledger;
  private final CheckpointStore store;
  private final Map<String, Checkpoint> positions = new LinkedHashMap<>();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private volatile long lastSave;
  private boolean unsaved;

  /**
   * @param ledger and {@code store} may be null when nothing is kept across restarts
   */
  public AlertVerticle(
      List<AlertSink> sinks,
      AlertLedger ledger,
      CheckpointStore store,
      Map<String, Checkpoint> start) {
    this.sinks = List.copyOf(sinks);
    this.ledger = ledger;
    this.store = store;
    positions.putAll(start);
  }

  @Override
  public void start() {
    vertx.eventBus().<Alert>consumer(Messages.ALERTS, message -> deliver(message.body()));
    vertx
        .eventBus()
        .<Checkpoint>consumer(
            Messages.CHECKPOINT,
            message -> {
              if (abandoned) {
                // An alert before this position was given up at shutdown: the restart must replay
                // it.
                message.reply(null);
                return;
              }
              positions.put(message.body().topic(), message.body());
              unsaved = true;
              if (System.currentTimeMillis() - lastSave >= SAVE_EVERY_MILLIS) {
                save();
              }
              message.reply(null);
            });
    // Answered in order after every alert published before the request: a flush barrier.
    vertx
        .eventBus()
        .<String>consumer(
            Messages.ALERTS_FLUSH,
            message -> {
              save();
              message.reply(delivered.get());
            });
    vertx.setPeriodic(SAVE_EVERY_MILLIS, id -> save());
  }

  private void deliver(Alert alert) {
    if (ledger != null && ledger.contains(alert.deliveryKey())) {
      duplicates.incrementAndGet();
      return;
    }
    boolean all = true;
    for (AlertSink sink : sinks) {
      all &= deliverTo(sink, alert);
    }
    if (!all) {
      abandoned = true;
      return;
    }
    delivered.incrementAndGet();
    if (ledger != null) {
      try {
        ledger.record(alert.deliveryKey());
      } catch (IOException e) {
        LOG.error(
            "alert {} was delivered but not recorded in the ledger; a restart may deliver it again: {}",
            alert.id(),
            e.toString());
      }
    }
  }

  /**
   * Hands the alert to one sink, retrying with backoff until it takes it. Meanwhile nothing behind
   * it is delivered or committed, so consumption stops (backpressure) instead of an alert being
   * skipped. Gives up only when the engine closes: the alert is then neither in the ledger nor
   * behind a saved checkpoint, and the restart delivers it.
   */
  private boolean deliverTo(AlertSink sink, Alert alert) {
    long backoff = FIRST_RETRY_MILLIS;
    for (int attempt = 1; ; attempt++) {
      try {
        sink.accept(alert);
        if (attempt > 1) {
          LOG.warn(
              "alert {} reached {} on attempt {}; delivery continues",
              alert.id(),
              sink.getClass().getSimpleName(),
              attempt);
        }
        return true;
      } catch (Exception e) {
        failed.incrementAndGet();
        if (closing) {
          LOG.error(
              "alert {} of rule {} not delivered to {} before shutdown ({}); the restart delivers it",
              alert.id(),
              alert.ruleId(),
              sink.getClass().getSimpleName(),
              e.toString());
          return false;
        }
        LOG.error(
            "alert {} of rule {} could not be delivered to {} (attempt {}): {}; retrying in {} ms, consumption waits",
            alert.id(),
            alert.ruleId(),
            sink.getClass().getSimpleName(),
            attempt,
            e.toString(),
            backoff);
        try {
          // In small steps, so a shutdown does not wait out a long backoff.
          for (long waited = 0; waited < backoff && !closing; waited += 100) {
            Thread.sleep(Math.min(100, backoff - waited));
          }
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return false;
        }
        backoff = Math.min(backoff * 2, MAX_RETRY_MILLIS);
      }
    }
  }

  /** Stops retrying failed deliveries, so the engine can close; called before Vert.x closes. */
  public void closing() {
    closing = true;
  }

  private void save() {
    if (store == null || !unsaved || abandoned) {
      return;
    }
    try {
      store.save(positions);
      unsaved = false;
      lastSave = System.currentTimeMillis();
    } catch (IOException e) {
      LOG.error("checkpoint {} could not be saved (will retry): {}", store.file(), e.toString());
    }
  }

  /** Wall time (epoch millis) the checkpoint was last saved, 0 before the first save. */
  public long lastCheckpointSave() {
    return lastSave;
  }

  public long delivered() {
    return delivered.get();
  }

  public long failed() {
    return failed.get();
  }

  public long duplicatesSuppressed() {
    return duplicates.get();
  }

  @Override
  public void stop() throws Exception {
    save();
    for (AlertSink sink : sinks) {
      sink.close();
    }
    if (ledger != null) {
      ledger.close();
    }
  }
}
