package io.leakwatch.engine;

import io.leakwatch.alert.AlertRefusedException;
import io.leakwatch.alert.AlertSink;
import io.leakwatch.checkpoint.Checkpoint;
import io.leakwatch.checkpoint.Checkpoints;
import io.leakwatch.checkpoint.DeliveryLedger;
import io.leakwatch.decision.Alert;
import io.leakwatch.store.FencedOffException;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.eventbus.Message;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers alerts to every sink, then commits positions. A worker: sinks write files and may block.
 * Alerts, positions and flushes go through one ordered queue, so a position is committed only after
 * every alert of the events it covers has been delivered and recorded in the ledger. A position is
 * answered (which returns its stream's credit) once it is taken into the next save, at most 200 ms
 * away; while saves fail, only once it is saved. An alert the ledger already holds (a replay after
 * restart) is not delivered again.
 *
 * <p>A sink that fails, a ledger that cannot be written or a checkpoint that cannot be saved holds
 * the queue and the answers back, so consumption stops instead of an alert being skipped or a
 * position being lost. Retries run on Vert.x timers with backoff (the worker thread never sleeps);
 * the cause is logged when it starts, then at most once a minute, and once more when it clears.
 *
 * <p>A sink that refuses one alert for good ({@link AlertRefusedException}: the alert history
 * cannot hold a value of it) is not retried for that alert: trying again would fail the same way
 * and hold every later alert and position back for ever. The refusal is logged once, naming the
 * alert and the sink (never a value of the alert), counted, and the alert goes on to the next sink.
 *
 * <p>A ledger or checkpoint write refused because this node lost the org's lease ({@link
 * FencedOffException}) is not retried: delivery stops for good, what is queued is dropped (the
 * lease holder replays it from the last position saved under a valid lease), positions are never
 * saved again, and the engine is told so it stops the streams.
 */
public final class AlertVerticle extends AbstractVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(AlertVerticle.class);

  /** Positions wait at most this long to be saved together (one fsync for many batches). */
  private static final long SAVE_EVERY_MILLIS = 200;

  private static final long FIRST_RETRY_MILLIS = 250;
  private static final long MAX_RETRY_MILLIS = 30_000;
  private static final long REPORT_EVERY_MILLIS = 60_000;
  private volatile boolean closing;

  /** Set when an alert was given up at shutdown: no position after it may be saved. */
  private volatile boolean abandoned;

  private final List<AlertSink> sinks;
  private final DeliveryLedger ledger;
  private final Checkpoints store;
  private final Map<String, Checkpoint> positions = new LinkedHashMap<>();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private volatile PipelineStats stats;
  private final ArrayDeque<Object> queue = new ArrayDeque<>();
  private final List<Message<?>> awaitingSave = new ArrayList<>();
  private final Fault sinkFault = new Fault("alert delivery");
  private final Fault saveFault = new Fault("checkpoint save");
  private volatile long lastSave;
  private boolean unsaved;

  /** Sinks that already took the alert at the head of the queue (they are not asked again). */
  private int sinksDone;

  private boolean ledgerPending;

  /**
   * The ledger let this node deliver the alert at the head of the queue (claimed, not recorded).
   */
  private boolean claimed;

  // When the attempt in progress on the head alert began (epoch millis), or 0 between attempts.
  private volatile long attemptStarted;

  private volatile FencedOffException fencedOff;
  private java.util.function.Consumer<FencedOffException> whenFencedOff = e -> {};
  private int attempt;
  private volatile long retryTimer = -1;

  /**
   * @param ledger and {@code store} may be null when nothing is kept across restarts
   */
  public AlertVerticle(
      List<AlertSink> sinks,
      DeliveryLedger ledger,
      Checkpoints store,
      Map<String, Checkpoint> start) {
    this.sinks = List.copyOf(sinks);
    this.ledger = ledger;
    this.store = store;
    positions.putAll(start);
  }

  /**
   * Called once, on the worker, when a write is refused for a lost lease; call before deploying.
   */
  public AlertVerticle whenFencedOff(java.util.function.Consumer<FencedOffException> action) {
    this.whenFencedOff = action;
    return this;
  }

  /**
   * Counts alerts a sink refused for good in {@code stats} too (by rule); call before deploying.
   */
  public AlertVerticle countRefusalsIn(PipelineStats stats) {
    this.stats = stats;
    return this;
  }

  /** The refused write that stopped delivery on this node, or null while it holds the lease. */
  public FencedOffException fencedOff() {
    return fencedOff;
  }

  /** A flush barrier: answered once everything queued before it is handled. */
  private record Flush(Message<String> message) {}

  /** A position, answered once saved. */
  private record Position(Message<Checkpoint> message) {}

  @Override
  public void start() {
    vertx.eventBus().<Alert>consumer(Messages.ALERTS, message -> enqueue(message.body()));
    vertx
        .eventBus()
        .<Checkpoint>consumer(Messages.CHECKPOINT, message -> enqueue(new Position(message)));
    vertx
        .eventBus()
        .<String>consumer(Messages.ALERTS_FLUSH, message -> enqueue(new Flush(message)));
    vertx.setPeriodic(SAVE_EVERY_MILLIS, id -> save());
  }

  private void enqueue(Object item) {
    if (fencedOff != null) {
      drop(item);
      return;
    }
    queue.add(item);
    if (retryTimer < 0) {
      pump();
    }
  }

  /** Handles the queue in order until it is empty or its head must wait for a retry. */
  private void pump() {
    retryTimer = -1;
    while (!queue.isEmpty()) {
      Object head = queue.peek();
      if (head instanceof Alert alert) {
        if (!deliver(alert)) {
          return; // a retry timer is set
        }
      } else if (head instanceof Position position) {
        commit(position.message());
      } else if (head instanceof Flush flush) {
        save();
        flush.message().reply(delivered.get());
      }
      queue.poll();
    }
  }

  /** True when the alert is done with (delivered, a duplicate, or given up at shutdown). */
  private boolean deliver(Alert alert) {
    // A sink or the ledger that blocks instead of failing would leave no fault behind: the wait
    // itself is the stall readiness must see.
    attemptStarted = System.currentTimeMillis();
    try {
      return attemptDelivery(alert);
    } finally {
      attemptStarted = 0;
    }
  }

  private boolean attemptDelivery(Alert alert) {
    if (sinksDone == 0 && !ledgerPending && !claimed && ledger != null) {
      // Claimed before the first sink: a shared ledger refuses a node that lost the org's lease
      // before any sink sees the alert (see PostgresLedger for the order, and a crash within it).
      try {
        if (!ledger.claim(alert.deliveryKey())) {
          duplicates.incrementAndGet();
          done(alert, "a duplicate of one delivered before");
          return true;
        }
        claimed = true;
      } catch (FencedOffException e) {
        fenced(e);
        return false;
      } catch (IOException e) {
        return retryOrGiveUp(
            alert,
            "alert "
                + alert.id()
                + " cannot be checked against the ledger "
                + ledger.describe()
                + ": "
                + e);
      }
    }
    while (sinksDone < sinks.size()) {
      AlertSink sink = sinks.get(sinksDone);
      try {
        sink.accept(alert);
        sinksDone++;
      } catch (AlertRefusedException e) {
        // This sink can never take this alert: not retried, or it would hold every later alert
        // and position back for ever. The other sinks still get it.
        sinksDone++;
        refused.incrementAndGet();
        PipelineStats counters = stats;
        if (counters != null) {
          counters.alertRefused(alert.ruleId());
        }
        LOG.error(
            "alert {} of rule {} was refused for good by {}: not tried there again, the other"
                + " sinks still get it and delivery goes on: {}",
            alert.id(),
            alert.ruleId(),
            sinkName(sink),
            e.getMessage());
      } catch (Exception e) {
        failed.incrementAndGet();
        return retryOrGiveUp(
            alert,
            "alert "
                + alert.id()
                + " of rule "
                + alert.ruleId()
                + " could not be delivered to "
                + sinkName(sink)
                + ": "
                + e);
      }
      ledgerPending = true;
    }
    if (ledger != null) {
      try {
        ledger.record(alert.deliveryKey());
      } catch (FencedOffException e) {
        fenced(e);
        return false;
      } catch (IOException e) {
        // Delivered but not recorded: going on would let a restart deliver it again, and would
        // commit positions past it without a record. Hold everything until the ledger takes it.
        return retryOrGiveUp(
            alert,
            "alert "
                + alert.id()
                + " was delivered but cannot be recorded in the ledger "
                + ledger.describe()
                + ": "
                + e);
      }
    }
    delivered.incrementAndGet();
    done(alert, "delivered");
    return true;
  }

  /** The head alert is done with: the next starts afresh, and a fault its retries saw is over. */
  private void done(Alert alert, String how) {
    if (attempt > 0) {
      sinkFault.cleared(alert.id() + " " + how + " after " + (attempt + 1) + " attempts");
    }
    sinksDone = 0;
    ledgerPending = false;
    claimed = false;
    attempt = 0;
  }

  /**
   * This node lost the org's lease: nothing more is delivered or saved here. Queued alerts are
   * dropped, not lost: their positions were never saved, so the lease holder replays their events.
   */
  private void fenced(FencedOffException e) {
    boolean first = fencedOff == null;
    fencedOff = e;
    if (retryTimer >= 0) {
      vertx.cancelTimer(retryTimer);
      retryTimer = -1;
    }
    sinksDone = 0;
    ledgerPending = false;
    claimed = false;
    attempt = 0;
    List<Object> dropped = new ArrayList<>(queue);
    queue.clear();
    dropped.forEach(this::drop);
    awaitingSave.forEach(m -> m.fail(1, e.getMessage()));
    awaitingSave.clear();
    if (first) {
      LOG.error(
          "{}; alert delivery and checkpoints of this org stop on this node ({} queued items"
              + " dropped for the lease holder to replay)",
          e.getMessage(),
          dropped.size());
      whenFencedOff.accept(e);
    }
  }

  /** An item that arrives or waits once fenced off: positions and flushes are refused. */
  private void drop(Object item) {
    String why = fencedOff.getMessage();
    if (item instanceof Position position) {
      position.message().fail(1, why);
    } else if (item instanceof Flush flush) {
      flush.message().fail(1, why);
    }
  }

  private boolean retryOrGiveUp(Alert alert, String why) {
    if (closing) {
      LOG.error("{}; not delivered before shutdown, the restart delivers it", why);
      abandoned = true;
      sinksDone = 0;
      ledgerPending = false;
      claimed = false;
      attempt = 0;
      return true;
    }
    attempt++;
    long backoff = Math.min(MAX_RETRY_MILLIS, FIRST_RETRY_MILLIS << Math.min(attempt - 1, 10));
    sinkFault.failing(why + "; consumption waits, retrying (attempt " + attempt + ")");
    retryTimer = vertx.setTimer(backoff, id -> pump());
    return false;
  }

  private void commit(Message<Checkpoint> message) {
    if (abandoned) {
      // An alert before this position was given up at shutdown: the restart must replay it.
      message.reply(null);
      return;
    }
    positions.put(message.body().topic(), message.body());
    unsaved = true;
    if (store == null || saveFault.since() == 0) {
      // Saves keep up: the position is in the next one (at most SAVE_EVERY_MILLIS away) and a
      // crash before it only replays a little. Answering now keeps an fsync off the credit path,
      // where its latency would starve the stream and let the event-time merge run ahead of it.
      message.reply(null);
    } else {
      // Saves are failing: no credit until this position is on disk, so consumption stops.
      awaitingSave.add(message);
    }
    if (store == null || System.currentTimeMillis() - lastSave >= SAVE_EVERY_MILLIS) {
      save();
    }
  }

  /** Whether an alert was given up at shutdown: nothing published after it counts as delivered. */
  public boolean gaveUp() {
    return abandoned;
  }

  /** Stops retrying failed deliveries, so the engine can close; called before Vert.x closes. */
  public void closing() {
    closing = true;
    if (context != null && retryTimer >= 0) {
      // Run the pending retry now: it gives up, and every position behind it is answered.
      context.runOnContext(
          v -> {
            if (retryTimer >= 0) {
              vertx.cancelTimer(retryTimer);
              pump();
            }
          });
    }
  }

  private void save() {
    if (fencedOff != null) {
      return;
    }
    if (abandoned) {
      replyAwaiting();
      return;
    }
    if (store != null && unsaved) {
      try {
        store.save(positions);
        unsaved = false;
        lastSave = System.currentTimeMillis();
        saveFault.cleared("checkpoint " + store.describe() + " saved");
      } catch (FencedOffException e) {
        fenced(e);
        return;
      } catch (IOException e) {
        saveFault.failing(
            "checkpoint "
                + store.describe()
                + " could not be saved: "
                + e
                + "; consumption waits (credit is returned only once positions are saved)");
        if (closing) {
          replyAwaiting();
        }
        return;
      }
    }
    replyAwaiting();
  }

  private void replyAwaiting() {
    awaitingSave.forEach(m -> m.reply(null));
    awaitingSave.clear();
  }

  /** Wall time (epoch millis) the checkpoint was last saved, 0 before the first save. */
  public long lastCheckpointSave() {
    return lastSave;
  }

  /**
   * Since when (epoch millis) an alert has been waiting for a sink or the ledger (failing and
   * retried, or blocked in a call), or 0 when delivery flows.
   */
  public long deliveryStalledSince() {
    long failing = sinkFault.since();
    long waiting = attemptStarted;
    if (failing == 0 || waiting == 0) {
      return Math.max(failing, waiting);
    }
    return Math.min(failing, waiting);
  }

  /** Since when (epoch millis) positions could not be saved, or 0 when saves succeed. */
  public long checkpointFailingSince() {
    return saveFault.since();
  }

  public long delivered() {
    return delivered.get();
  }

  public long failed() {
    return failed.get();
  }

  /** Alerts a sink refused for good (each counted once, not retried there). */
  public long refused() {
    return refused.get();
  }

  private static String sinkName(AlertSink sink) {
    String name = sink.getClass().getSimpleName();
    return name.isEmpty() ? sink.getClass().getName() : name;
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

  /** One ongoing fault: reported when it starts, then at a bounded rate, and when it clears. */
  private static final class Fault {
    private final String what;
    private volatile long since;
    private long lastReport;
    private long suppressed;

    Fault(String what) {
      this.what = what;
    }

    void failing(String why) {
      long now = System.currentTimeMillis();
      if (since == 0) {
        since = now;
        lastReport = now;
        LOG.error("{}", why);
      } else if (now - lastReport >= REPORT_EVERY_MILLIS) {
        lastReport = now;
        LOG.error(
            "{} still failing after {} s ({} more failures since the last report): {}",
            what,
            (now - since) / 1000,
            suppressed,
            why);
        suppressed = 0;
      } else {
        suppressed++;
      }
    }

    void cleared(String how) {
      if (since != 0) {
        LOG.warn(
            "{} recovered after {} s: {}", what, (System.currentTimeMillis() - since) / 1000, how);
        since = 0;
        suppressed = 0;
      }
    }

    long since() {
      return since;
    }
  }
}
