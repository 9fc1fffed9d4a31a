package io.leakwatch.engine;

import com.salesforce.eventbus.protobuf.TopicInfo;
import io.leakwatch.alert.Backoff;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.cep.EventTimeBound;
import io.leakwatch.checkpoint.Checkpoint;
import io.leakwatch.checkpoint.MonitoringGap;
import io.leakwatch.checkpoint.ResumeTracker;
import io.leakwatch.pubsub.PubSubClient;
import io.leakwatch.pubsub.PubSubErrors;
import io.leakwatch.pubsub.PubSubSubscriber;
import io.leakwatch.pubsub.ReceivedEvent;
import io.leakwatch.pubsub.ReplayId;
import io.leakwatch.pubsub.ReplayStart;
import io.leakwatch.pubsub.SchemaCache;
import io.leakwatch.pubsub.SubscriptionListener;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import java.time.Duration;
import java.util.List;
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

  /** How long a batch waits for detection to confirm it processed before the wait is given up. */
  static final long BATCH_TIMEOUT_MILLIS = 300_000;

  /** How long a position waits to be saved behind the alerts decided before it. */
  static final long COMMIT_TIMEOUT_MILLIS = 600_000;

  /** How long after a commit that was not confirmed the next is sent. */
  private static final long COMMIT_RETRY_MILLIS = 1_000;

  private final PubSubClient client;
  private final TokenSource tokens;
  private final String topic;
  private final ReplayStart configuredStart;
  private final Checkpoint checkpoint;
  private final Durability durability;
  private final int maxBacklog;
  private final boolean drill;
  private final ResumeTracker tracker;
  private EventTimeBound bound = EventTimeBound.NONE;
  private DeliveryOptions batchDelivery =
      new DeliveryOptions().setSendTimeout(BATCH_TIMEOUT_MILLIS);
  private DeliveryOptions commitDelivery =
      new DeliveryOptions().setSendTimeout(COMMIT_TIMEOUT_MILLIS);
  // A keepalive's position is on its way to be saved: the next keepalive waits for it. While the
  // alert sinks are stuck, every position waits behind them; one per keepalive would pile up.
  private boolean keepAliveCommitting;
  // Commits not confirmed since the last one that was: the first is an ERROR, the rest are not.
  private volatile long commitsUnconfirmed;

  private PubSubSubscriber subscriber;
  private volatile ReplayId lastProcessed;
  private volatile long lastEventTime;
  private volatile long processed;
  private volatile boolean live;
  private volatile long reconnects;
  private volatile long lastHeardNanos;
  private volatile long gaps;
  private volatile ReplayId lastHandedOff;
  private int failures;
  private long streams;
  private int unreleased;
  private long reconnectDueNanos;
  private boolean pendingPositionRejected;
  // The server refused the last position: until the stream gives a new one, reconnects start from
  // the fallback, as the first one after the refusal did.
  private boolean positionLost;
  // The last stream was closed for silence; the next is live only once the server answers.
  private boolean silentBefore;
  // Batches handed to detection since start, and whether one's processing went unconfirmed (its
  // request timed out) with no later batch confirmed since.
  private long handOffs;
  private boolean unconfirmed;
  private boolean stopping;

  /** How long a stop waits for the batches in hand to be processed and committed. */
  private static final long DRAIN_MILLIS = 10_000;

  private int inFlight;
  private Promise<Void> drained;

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

  /**
   * Leaves events dated more than {@code millis} past this host's clock out of the topic's event
   * time (the detection refuses them): one misdated event would otherwise carry the checkpoint's
   * time, and with it the resume point, days ahead for good. Call before deploying.
   */
  public SubscriptionVerticle boundEventTime(EventTimeBound bound) {
    this.bound = bound;
    if (!bound.trusts(lastEventTime, System.currentTimeMillis())) {
      // Saved by a build that took a misdated event's time: the next batch sets it again.
      LOG.warn(
          "{}: the saved event time lies more than {} past this host's clock; not kept",
          topic,
          bound);
      lastEventTime = 0;
      tracker.distrustEventTime();
    }
    return this;
  }

  /**
   * Gives up waiting for detection's confirmation of a batch after {@code millis} instead of five
   * minutes (tests of what follows). Call before deploying.
   */
  SubscriptionVerticle batchTimeout(long millis) {
    batchDelivery = new DeliveryOptions().setSendTimeout(millis);
    return this;
  }

  /**
   * Gives up waiting for a position to be saved after {@code millis} instead of ten minutes (tests
   * of a stuck alert sink). Call before deploying.
   */
  SubscriptionVerticle commitTimeout(long millis) {
    commitDelivery = new DeliveryOptions().setSendTimeout(millis);
    return this;
  }

  /** Commits not confirmed since the last one that was (the first of them logged an ERROR). */
  long commitsUnconfirmed() {
    return commitsUnconfirmed;
  }

  @Override
  public void start(Promise<Void> started) {
    vertx
        .executeBlocking(
            () -> {
              TopicInfo info = client.topic(topic);
              warmSchema(info.getSchemaId());
              return info;
            })
        .onComplete(
            result -> {
              if (result.failed() && drill) {
                // A drill org's simulator only listens while a drill runs: keep trying instead of
                // failing the start.
                LOG.warn(
                    "drill topic {}: the simulator is not reachable ({}); subscribing as soon as it is",
                    topic,
                    client.describe(result.cause()));
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
                            + client.describe(result.cause())));
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

  /**
   * Fetches the topic's current schema while the connection is known to work: a quiet topic's first
   * event may come hours later, in the middle of a network fault. Best effort: an event whose
   * schema is not fetched yet fetches it itself (and a failure then reopens the stream).
   */
  private void warmSchema(String schemaId) {
    try {
      client.schemas().get(schemaId);
    } catch (SchemaCache.UnknownSchemaException | RuntimeException e) {
      LOG.warn(
          "{}: {}; it is fetched again with the first event that needs it", topic, e.getMessage());
    }
  }

  private void subscribe(ReplayStart start) {
    if (subscriber != null) {
      subscriber.close();
    }
    long stream = ++streams;
    subscriber = client.subscribe(topic, start, maxBacklog, unreleased, new Listener(stream));
    // Live until proved otherwise (a stream error, or the watchdog finding it silent): a quiet
    // topic's first keepalive can take minutes. Not when the stream it replaces went silent: a
    // server that stalls would otherwise read as live for most of every stale period, while
    // nothing arrives; this one is live once the server answers.
    live = !silentBefore;
  }

  /** The stream open now answered (events or a keepalive): it is live, and failures start over. */
  private void heard() {
    live = true;
    silentBefore = false;
    lastHeardNanos = System.nanoTime();
    failures = 0;
  }

  /** What one stream delivers; ignored once a newer stream replaced it. */
  private final class Listener implements SubscriptionListener {
    private final long stream;

    Listener(long stream) {
      this.stream = stream;
    }

    @Override
    public void onEvents(String topic, List<ReceivedEvent> events) {
      onEvents(topic, events, false);
    }

    @Override
    public void onEvents(String topic, List<ReceivedEvent> events, boolean owed) {
      context.runOnContext(
          v -> {
            if (stream != streams) {
              return; // its stream was closed; the successor starts after lastHandedOff
            }
            heard();
            lastHandedOff = events.get(events.size() - 1).replayId();
            unreleased += events.size();
            inFlight++;
            handOffs++;
            // The stream may have asked again since the batch arrived (a release on this context
            // ran in between): it is owed events now, whatever it was when the batch came.
            boolean owedNow = owed || subscriber.awaitingServer();
            vertx
                .eventBus()
                .<Integer>request(
                    Messages.EVENTS, new Messages.EventBatch(topic, events, owedNow), batchDelivery)
                .onComplete(
                    reply -> {
                      if (reply.succeeded()) {
                        // Credit comes back only once the batch's alerts are delivered and its
                        // position committed: a slow sink or a checkpoint that cannot be saved
                        // slows the stream instead of filling memory.
                        batchProcessed(events)
                            .<Void>mapEmpty()
                            .recover(e -> commitUntilConfirmed())
                            .onComplete(
                                committed -> {
                                  release(events.size());
                                  batchDone();
                                });
                        return;
                      }
                      batchDone();
                      unconfirmed = true;
                      if (stopping) {
                        // Shutting down: the position stays where it was last committed, so the
                        // next start reads this batch again (the ledger keeps its alerts single).
                        LOG.info(
                            "batch of {} events on {} not confirmed before shutdown; the next start"
                                + " resumes from the last committed position",
                            events.size(),
                            topic);
                      } else {
                        LOG.error(
                            "batch of {} events on {} was not confirmed processed: {}",
                            events.size(),
                            topic,
                            reply.cause().toString());
                        release(events.size());
                      }
                    });
          });
    }

    @Override
    public void onKeepAlive(String topic, ReplayId latest) {
      context.runOnContext(
          v -> {
            if (stream != streams) {
              return;
            }
            heard();
            ReplayId position = latest == null || latest.isEmpty() ? null : latest;
            if (position == null) {
              vertx.eventBus().send(Messages.TOPIC_IDLE, new Messages.TopicIdle(topic, null));
              return;
            }
            // Reconnects start after it at once; a restart only once detection says how far the
            // org's event time has come (the restart horizon is measured in it).
            lastHandedOff = position;
            positionLost = false;
            long handOffsThen = handOffs;
            vertx
                .eventBus()
                .<Long>request(Messages.TOPIC_IDLE, new Messages.TopicIdle(topic, position))
                .onSuccess(reply -> keptAlive(position, handOffsThen, reply.body()));
          });
    }

    @Override
    public void onError(String topic, Throwable failure) {
      context.runOnContext(
          v -> {
            if (stream == streams) {
              scheduleReconnect("stream failed: " + client.describe(failure), errorCode(failure));
            }
          });
    }

    @Override
    public void onCompleted(String topic) {
      context.runOnContext(
          v -> {
            if (stream == streams) {
              scheduleReconnect("server closed the stream", "");
            }
          });
    }
  }

  /**
   * Frees credit on the stream open now: events still held from a closed stream were counted into
   * its successor's backlog. Tells the merge when the stream asks again after its backlog had
   * stopped it. That message must reach the merge before any batch the server answers with: the
   * answer is handed off on this context too, after this task, and Vert.x's local event bus
   * delivers synchronously into the detection worker's single ordered task queue (its EVENTS and
   * TOPIC_OWED consumers share that context). Vert.x documents order per handler only, so a
   * clustered bus or an interceptor that defers delivery would need a sequence number here.
   */
  private void release(int count) {
    unreleased -= count;
    if (subscriber != null && subscriber.release(count)) {
      vertx.eventBus().send(Messages.TOPIC_OWED, topic);
    }
  }

  /**
   * The server has nothing for this topic before {@code position} (Salesforce advises saving the
   * replay id of every empty response), and detection's event time is {@code eventTime}: a restart
   * may start there once every batch handed off before it is confirmed processed. Not when a batch
   * came since (the position is behind it), nor while one's processing went unconfirmed (its
   * request timed out: it may still wait in the merge, and a restart must read it again).
   */
  private void keptAlive(ReplayId position, long handOffsThen, Long eventTime) {
    if (handOffs != handOffsThen || inFlight > 0 || unconfirmed) {
      return; // the next keepalive, with nothing in hand, moves the checkpoint
    }
    if (keepAliveCommitting) {
      // Not given to the tracker yet: a quiet topic's keepalives repeat one id, and the tracker
      // would take it now and see nothing new when the next keepalive could commit it.
      return;
    }
    long now = eventTime == null ? Long.MIN_VALUE : eventTime;
    if (tracker.keepAlive(position, now)) {
      keepAliveCommitting = true;
      commit().onComplete(saved -> keepAliveCommitting = false);
    }
  }

  private io.vertx.core.Future<?> batchProcessed(List<ReceivedEvent> events) {
    ReceivedEvent last = events.get(events.size() - 1);
    lastProcessed = last.replayId();
    long time = lastEventTime;
    long wall = System.currentTimeMillis();
    for (ReceivedEvent event : events) {
      long eventTime = EventTimes.of(event, time);
      if (bound.trusts(eventTime, wall)) {
        time = Math.max(time, eventTime);
      }
    }
    lastEventTime = time;
    processed += events.size();
    tracker.processed(last.replayId(), time);
    positionLost = false;
    // The topic's events are processed in order: this batch's confirmation covers any before it.
    unconfirmed = false;
    return commit();
  }

  /**
   * Commits again, with the latest position, until one is confirmed saved, or the verticle stops. A
   * batch's credit waits for it: while the alert sinks are stuck or the checkpoint cannot be saved,
   * the stream stays stopped instead of creeping on a batch per commit time-out, with the alerts of
   * every batch piling up in memory behind the stuck one.
   */
  private io.vertx.core.Future<Void> commitUntilConfirmed() {
    if (stopping) {
      return io.vertx.core.Future.failedFuture("stopping");
    }
    // A refusal can come at once (a node fenced off): never a tight loop.
    return commit()
        .<Void>mapEmpty()
        .recover(
            e -> {
              io.vertx.core.Promise<Void> pause = io.vertx.core.Promise.promise();
              vertx.setTimer(COMMIT_RETRY_MILLIS, id -> pause.complete());
              return pause.future().compose(v -> commitUntilConfirmed());
            });
  }

  /** Sends the tracker's checkpoint to be saved behind the alerts decided before it. */
  private io.vertx.core.Future<?> commit() {
    return vertx
        .eventBus()
        .request(Messages.CHECKPOINT, tracker.checkpoint(), commitDelivery)
        .onSuccess(
            saved -> {
              if (commitsUnconfirmed > 0) {
                LOG.info(
                    "position of {} committed again, after {} not confirmed",
                    topic,
                    commitsUnconfirmed);
                commitsUnconfirmed = 0;
              }
            })
        .onFailure(
            e -> {
              if (stopping) {
                LOG.info(
                    "position of {} not committed before shutdown; the next start resumes from the"
                        + " last committed one",
                    topic);
              } else if (commitsUnconfirmed++ == 0) {
                LOG.error(
                    "position of {} not confirmed committed (alert sinks stuck?): {}; until one is,"
                        + " the next ones are logged at debug level",
                    topic,
                    e.toString());
              } else {
                LOG.debug("position of {} not confirmed committed: {}", topic, e.toString());
              }
            });
  }

  /**
   * Runs every quarter of {@code staleAfter}, for the verticle's whole life: nothing in the
   * reconnect path can cancel it. It reopens a stream that went silent, and it restarts a reconnect
   * whose timer or token refresh never came back.
   */
  private void watchdog() {
    if (stopping) {
      return;
    }
    long now = System.nanoTime();
    if (reconnectDueNanos != 0) {
      long overdueMillis = (now - reconnectDueNanos) / 1_000_000;
      if (overdueMillis >= durability.staleAfterMillis()) {
        LOG.warn(
            "subscription {}: reconnect attempt {} is {} ms overdue; starting it now",
            topic,
            reconnects + 1,
            overdueMillis);
        reconnect(pendingPositionRejected);
      }
      return;
    }
    if (subscriber == null || !subscriber.awaitingServer() && !subscriber.isClosed()) {
      return; // no credit out: the consumer is holding the stream back, not the server
    }
    long silentMillis = (now - subscriber.lastResponseNanos()) / 1_000_000;
    if (silentMillis >= durability.staleAfterMillis()) {
      subscriber.close();
      silentBefore = true;
      scheduleReconnect("stream stale: no events or keepalive for " + silentMillis + " ms", "");
    }
  }

  private void scheduleReconnect(String why, String errorCode) {
    live = false;
    if (stopping || reconnectDueNanos != 0) {
      return;
    }
    vertx.eventBus().send(Messages.TOPIC_DOWN, topic);
    long delay =
        new Backoff(Duration.ofMillis(500), Duration.ofMillis(durability.reconnectCeilingMillis()))
            .delay(failures + 1)
            .toMillis();
    failures++;
    boolean positionRejected =
        errorCode.equals(PubSubErrors.REPLAY_ID_CORRUPTED)
            || errorCode.equals(PubSubErrors.REPLAY_ID_VALIDATION_FAILED);
    pendingPositionRejected = positionRejected;
    reconnectDueNanos = System.nanoTime() + delay * 1_000_000;
    if (quietAttempt()) {
      LOG.debug(
          "subscription {}: {}; reconnect attempt {} in {} ms", topic, why, reconnects + 1, delay);
    } else {
      LOG.warn(
          "subscription {}: {}; reconnect attempt {} in {} ms{}",
          topic,
          why,
          reconnects + 1,
          delay,
          drill ? " (a drill org: said again at attempt " + failures * 2 + ")" : "");
    }
    if (errorCode.equals(PubSubErrors.AUTH_ERROR)) {
      // The token expired or was revoked: get a new one first, then resume where processing
      // stopped. Should the refresh hang, the watchdog starts the attempt anyway.
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
                long left = Math.max(1, (reconnectDueNanos - System.nanoTime()) / 1_000_000);
                vertx.setTimer(left, id -> reconnect(positionRejected));
              });
      return;
    }
    vertx.setTimer(delay, id -> reconnect(positionRejected));
  }

  /**
   * The failure's Salesforce error code; an UNAUTHENTICATED status without one is taken as the auth
   * error (the docs do not promise which status that code comes with, nor that it always comes), so
   * the token is refreshed instead of offered again on every attempt.
   */
  private static String errorCode(Throwable failure) {
    return PubSubErrors.errorCode(failure)
        .orElse(
            PubSubErrors.statusCode(failure) == io.grpc.Status.Code.UNAUTHENTICATED
                ? PubSubErrors.AUTH_ERROR
                : "");
  }

  /**
   * A drill org's simulator listens only while a drill runs, so between drills its streams retry
   * for days: that is said at the 1st, 2nd, 4th, 8th… attempt of an outage (once per doubling of
   * the back-off, then ever more rarely at its ceiling), every attempt still counted. A real org's
   * attempts are all logged.
   */
  private boolean quietAttempt() {
    return drill && Integer.bitCount(failures) != 1;
  }

  private void reconnect(boolean positionRejected) {
    if (stopping || reconnectDueNanos == 0) {
      return; // the watchdog already started this attempt
    }
    reconnectDueNanos = 0;
    // Events handed to detection are processed whether or not their stream lives on (they wait in
    // the event-time merge), so the new stream starts after them. Waiting for them instead could
    // wait forever: the merge may hold them until this very topic is back.
    ReplayId resumeAfter =
        lastHandedOff != null || positionLost
            ? lastHandedOff
            : checkpoint == null ? null : checkpoint.resumeAfter();
    ReplayStart start =
        resumeAfter != null
            ? ReplayStart.after(resumeAfter)
            : positionLost ? durability.fallback() : configuredStart;
    if (positionRejected) {
      start = durability.fallback();
      // Not offered again, by a reconnect before the next events or keepalive, nor by the
      // checkpoint: each offer would be refused, and reported as one more gap.
      lastHandedOff = null;
      positionLost = true;
      tracker.positionRejected();
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
    if (quietAttempt()) {
      LOG.debug("subscription {}: reconnect attempt {} from {}", topic, reconnects, start);
    } else {
      LOG.info("subscription {}: reconnect attempt {} from {}", topic, reconnects, start);
    }
    try {
      // A channel that failed to connect waits out its own backoff (up to two minutes) before it
      // tries again; this attempt is the moment to try.
      client.resetConnectBackoff();
      subscribe(start);
    } catch (RuntimeException e) {
      scheduleReconnect("reconnect attempt failed: " + client.describe(e), "");
    }
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

  /**
   * {@link System#nanoTime()} when the stream open now last delivered events or a keepalive, 0
   * before the first: proof the stream is back, where {@link #live()} is only presumed.
   */
  public long lastHeardNanos() {
    return lastHeardNanos;
  }

  /** Monitoring gaps recorded on this subscription since start. */
  public long gaps() {
    return gaps;
  }

  /**
   * Stops taking events, then waits (at most {@link #DRAIN_MILLIS}) until the batches already
   * handed to detection are processed and their positions committed, so a clean stop saves where it
   * got to.
   */
  @Override
  public void stop(Promise<Void> stopped) {
    stopping = true;
    if (subscriber != null) {
      subscriber.close();
    }
    if (inFlight == 0) {
      stopped.complete();
      return;
    }
    drained = stopped;
    vertx.setTimer(
        DRAIN_MILLIS,
        id -> {
          if (drained != null && drained.tryComplete()) {
            LOG.info(
                "subscription {}: {} batch(es) not confirmed within {} ms of shutdown; the next"
                    + " start resumes from the last committed position",
                topic,
                inFlight,
                DRAIN_MILLIS);
          }
        });
  }

  private void batchDone() {
    inFlight--;
    if (inFlight == 0 && drained != null) {
      drained.tryComplete();
    }
  }
}
