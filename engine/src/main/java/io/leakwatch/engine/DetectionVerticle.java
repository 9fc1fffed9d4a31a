package io.leakwatch.engine;

import io.leakwatch.cep.EventTimeBound;
import io.leakwatch.checkpoint.LearnedState;
import io.leakwatch.checkpoint.LearnedStateReset;
import io.leakwatch.checkpoint.LearnedStateStore;
import io.leakwatch.checkpoint.SnapshotSchedule;
import io.leakwatch.decision.Alert;
import io.leakwatch.loginpoll.PollStanding;
import io.leakwatch.loginpoll.RecentLogins;
import io.leakwatch.pubsub.ReceivedEvent;
import io.leakwatch.pubsub.ReplayId;
import io.leakwatch.store.FencedOffException;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.eventbus.DeliveryOptions;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the detection pipeline. Deployed as a single worker instance, so Esper and Drools run off
 * the event loops, on one thread at a time. Batches from all subscriptions are merged into
 * event-time order first; a batch is answered (releasing its flow-control credit) once all its
 * events are processed.
 */
public final class DetectionVerticle extends AbstractVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(DetectionVerticle.class);
  private static final long HEARTBEAT_MILLIS = 1_000;
  private static final long RELEASE_CHECK_MILLIS = 100;

  /**
   * How long learned state waits for the alerts before it to be delivered, before it is skipped.
   */
  private static final long LEARNED_WAIT_MILLIS = 600_000;

  private final DetectionPipeline pipeline;
  private final EventTimeMerger merger;
  private final MergeWatch mergeWatch;
  private final ProcessedJournal journal;
  private final RecentLogins logins;
  private SnapshotSchedule snapshots;
  private PollStanding loginPoll;
  private LearnedStateStore learnedFile;
  private java.util.function.Consumer<FencedOffException> whenFencedOff = e -> {};
  private volatile boolean fencedOff;
  private boolean drill;
  private EventTimeBound bound = EventTimeBound.NONE;
  private long misdatedSinceWarning;
  private long misdatedWarnedAt = Long.MIN_VALUE / 2;
  private static final long MISDATED_WARN_MILLIS = 60_000;
  private java.util.function.BooleanSupplier alertsGivenUp = () -> false;
  private volatile boolean stopping;
  private long learnedSaves;

  /** What the merge held events back for when the worker last finished a drain; null if nothing. */
  private EventTimeMerger.Hold waitingFor;

  // Released by the merge and not yet processed: events behind one whose dead letter is owed.
  private final ArrayDeque<EventTimeMerger.Pending> held = new ArrayDeque<>();
  // Processed, its dead letter not yet written: its batch is not done until it is.
  private EventTimeMerger.Pending owing;
  private boolean owingTaken;

  private long waitingSinceNanos;

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
    this.mergeWatch = new MergeWatch(pipeline.stats());
    this.merger =
        new EventTimeMerger(topics, maxWaitMillis, System.currentTimeMillis(), mergeWatch);
    if (logins != null) {
      merger.limitWait(
          io.leakwatch.cep.TopicTypes.LOGIN_HISTORY, pollWaitMillis, System.currentTimeMillis());
    }
    this.journal = journalFile == null ? null : new ProcessedJournal(journalFile);
  }

  /**
   * Saves what the rules learn (their durable tables) with the positions it is consistent with, on
   * {@code schedule}; call before deploying. {@code alertsGivenUp} says whether the alert worker
   * gave an alert up at shutdown (then nothing more is saved).
   */
  public DetectionVerticle keepLearnedState(
      SnapshotSchedule schedule,
      LearnedStateStore file,
      boolean drill,
      java.util.function.BooleanSupplier alertsGivenUp) {
    this.alertsGivenUp = alertsGivenUp;
    this.snapshots = schedule;
    this.learnedFile = file;
    this.drill = drill;
    return this;
  }

  /**
   * Takes the LoginHistory poll's cursor and de-duplication entries into every learned-state
   * snapshot, so a restart from it resumes the poll where the tables stood (the poll's own cursor
   * file is newer: a login the poll delivered after the snapshot would be in neither the restored
   * tables nor read again). Call before deploying.
   */
  public DetectionVerticle snapshotLoginPoll(PollStanding standing) {
    this.loginPoll = standing;
    return this;
  }

  /**
   * Refuses events dated past {@code bound} of this host's clock (dead-lettered with the reason,
   * counted, their positions committed). Call before deploying.
   */
  public DetectionVerticle boundEventTime(EventTimeBound bound) {
    this.bound = bound;
    merger.boundAhead(bound);
    return this;
  }

  /**
   * Called once when a learned-state write is refused for a lost lease (then nothing more is saved
   * here); call before deploying.
   */
  public DetectionVerticle whenFencedOff(java.util.function.Consumer<FencedOffException> action) {
    this.whenFencedOff = action;
    return this;
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
                  batch.owed(),
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
                List<String> reset = pipeline.reload(message.body());
                for (String why : reset) {
                  LOG.warn("rules reloaded: learned table {}", why);
                  vertx
                      .eventBus()
                      .publish(
                          Messages.ALERTS,
                          LearnedStateReset.alert(
                              why.substring(0, why.indexOf(':')),
                              why,
                              System.currentTimeMillis(),
                              drill));
                }
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
        .<String>consumer(
            Messages.TOPIC_OWED,
            message -> merger.owed(message.body(), System.currentTimeMillis()));
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
        .<Messages.TopicIdle>consumer(
            Messages.TOPIC_IDLE,
            message -> {
              String topic = message.body().topic();
              merger.idle(topic, System.currentTimeMillis());
              drain();
              learnPosition(topic, message.body().position());
              publish(idle());
              snapshotWhenDue();
              // How far the org's event time has come: the subscription measures its restart
              // horizon in it (a send without a reply address ignores this).
              message.reply(pipeline.eventTime());
            });
    vertx
        .eventBus()
        .<Messages.ClockTick>consumer(
            Messages.CLOCK,
            message -> {
              Long target = message.body().eventTime();
              publish(target == null ? idle() : advanceTo(target));
              snapshotWhenDue();
              message.reply(pipeline.eventTime());
            });
    vertx.setPeriodic(
        HEARTBEAT_MILLIS,
        id -> {
          drain();
          publish(idle());
          snapshotWhenDue();
          mergeWatch.flush();
        });
    vertx.setPeriodic(RELEASE_CHECK_MILLIS, id -> drain());
  }

  private void drain() {
    long wall = System.currentTimeMillis();
    if (waitingFor != null) {
      pipeline.stats().mergeWaited(waitingFor, System.nanoTime() - waitingSinceNanos);
      waitingFor = null;
    }
    if (owing != null) {
      if (!pipeline.writeOwedDeadLetter()) {
        return;
      }
      // Cleared first: if finishing throws, the next drain must not finish it again.
      EventTimeMerger.Pending written = owing;
      owing = null;
      finish(written, owingTaken);
    }
    held.addAll(merger.release(wall));
    while (!held.isEmpty()) {
      EventTimeMerger.Pending pending = held.poll();
      boolean taken = true;
      if (pending.aheadOfClock()) {
        pipeline.refuse(pending.event(), bound.refusal(pending.aheadMillis()));
        warnMisdated(pending, wall);
      } else if (logins == null || logins.admit(pending.event())) {
        publish(pipeline.process(pending.event(), wall));
      } else {
        // The same login from the other source (stream and LoginHistory): counted there, once.
        taken = false;
      }
      if (pipeline.owesDeadLetter()) {
        // Processed, but its dead letter is not on disk: its position waits, and so does every
        // event after it (in order), until the file takes the letter.
        owing = pending;
        owingTaken = taken;
        return;
      }
      finish(pending, taken);
    }
    waitingFor = merger.lastHold();
    waitingSinceNanos = System.nanoTime();
  }

  /** After an event is processed (or refused): learned state, journal, and its batch's account. */
  private void finish(EventTimeMerger.Pending pending, boolean taken) {
    learn(pending.event());
    if (taken && journal != null) {
      journal.processed(pending.event());
    }
    pending.batch().done();
  }

  /** Lets event time flow on a quiet stream, unless events wait behind an unwritten dead letter. */
  private List<Alert> idle() {
    return owing != null ? List.of() : pipeline.onIdle(System.currentTimeMillis());
  }

  /** Moves event time to {@code target}, unless events wait behind an unwritten dead letter. */
  private List<Alert> advanceTo(long target) {
    return owing != null ? List.of() : pipeline.advanceTo(target);
  }

  /**
   * Says in the log that misdated events were refused: at once, then at most once a minute with how
   * many since. Many of them mean this host's clock is behind, and every event is being refused.
   */
  private void warnMisdated(EventTimeMerger.Pending pending, long wall) {
    misdatedSinceWarning++;
    if (wall - misdatedWarnedAt >= MISDATED_WARN_MILLIS) {
      LOG.warn(
          "{} event(s) dated more than {} after this host's clock refused (dead-lettered) since"
              + " the last such warning; the last on {}, {} h ahead. If many, check this host's"
              + " clock",
          misdatedSinceWarning,
          bound,
          pending.event().topic(),
          String.format(java.util.Locale.ROOT, "%.1f", pending.aheadMillis() / 3_600_000.0));
      misdatedSinceWarning = 0;
      misdatedWarnedAt = wall;
    }
  }

  /**
   * After each event: records its position; hands a snapshot that is a horizon old to be saved; and
   * takes a new one when due. Between two events the tables hold exactly the events processed.
   */
  private void learn(ReceivedEvent event) {
    if (snapshots == null || pipeline.eventTime() == Long.MIN_VALUE) {
      return;
    }
    snapshots.processed(event.topic(), event.replayId(), pipeline.eventTime());
    snapshotWhenDue();
  }

  /**
   * Saves the snapshot a horizon old, takes a new one when due. Runs after every event, and after
   * every step of event time without one: a quiet org's time flows too, and its snapshots keep the
   * positions its keepalives give.
   */
  private void snapshotWhenDue() {
    if (snapshots == null || owing != null || pipeline.eventTime() == Long.MIN_VALUE) {
      return;
    }
    long now = pipeline.eventTime();
    LearnedState ready = snapshots.ready(now);
    if (ready != null) {
      saveAfterAlerts(ready);
    }
    if (snapshots.due(now)) {
      LearnedState state = pipeline.learnedState(snapshots.positions());
      snapshots.taken(loginPoll == null ? state : state.withLoginHistory(loginPoll.take()));
    }
  }

  /**
   * A keepalive's position becomes the topic's position in the next snapshot once every event of
   * the topic handed off before it is processed: a restart from that snapshot then resumes where
   * the server had nothing more, not at the topic's last event, which may be older than the
   * server's retention on a quiet topic.
   */
  private void learnPosition(String topic, ReplayId position) {
    if (position == null
        || snapshots == null
        || owing != null
        || merger.holds(topic)
        || pipeline.eventTime() == Long.MIN_VALUE) {
      return;
    }
    snapshots.processed(topic, position, pipeline.eventTime());
  }

  /**
   * Saves learned state once every alert published before it is delivered (a flush through the
   * alert worker's queue), so a restart from its positions never skips an undelivered alert.
   */
  private void saveAfterAlerts(LearnedState state) {
    vertx
        .eventBus()
        .request(
            Messages.ALERTS_FLUSH,
            "learned state",
            new DeliveryOptions().setSendTimeout(LEARNED_WAIT_MILLIS))
        .onSuccess(
            delivered -> {
              if (stopping || fencedOff || alertsGivenUp.getAsBoolean()) {
                return; // an alert before it was given up at shutdown: the restart must replay it
              }
              try {
                learnedFile.save(state);
                if (learnedSaves++ == 0) {
                  LOG.info(
                      "learned state saved to {} ({} tables, as of event time {}); saved again"
                          + " every resume horizon",
                      learnedFile.describe(),
                      state.tables().size(),
                      java.time.Instant.ofEpochMilli(state.eventTime()));
                }
              } catch (FencedOffException e) {
                fencedOff = true;
                LOG.error("{}; learned state is no longer saved on this node", e.getMessage());
                whenFencedOff.accept(e);
              } catch (IOException e) {
                LOG.error(
                    "learned state could not be saved to {} ({}); a restart resumes from the"
                        + " previous one, further back",
                    learnedFile.describe(),
                    e.toString());
              }
            })
        .onFailure(
            e ->
                LOG.warn(
                    "learned state as of {} not saved: alerts before it are not delivered ({});"
                        + " the next one is tried a horizon later",
                    java.time.Instant.ofEpochMilli(state.eventTime()),
                    e.getMessage()));
  }

  private void publish(List<Alert> alerts) {
    for (Alert alert : alerts) {
      vertx.eventBus().publish(Messages.ALERTS, alert);
    }
  }

  @Override
  public void stop() throws java.io.IOException {
    stopping = true;
    pipeline.close();
    if (journal != null) {
      journal.close();
    }
  }
}
