package io.leakwatch.engine;

import io.leakwatch.alert.AlertSink;
import io.leakwatch.alert.SinkProblems;
import io.leakwatch.alert.SpooledAlertSink;
import io.leakwatch.auth.TrustedCertificates;
import io.leakwatch.cep.EventTimeBound;
import io.leakwatch.cep.TopicTypes;
import io.leakwatch.checkpoint.Checkpoint;
import io.leakwatch.checkpoint.CheckpointStore;
import io.leakwatch.checkpoint.Checkpoints;
import io.leakwatch.checkpoint.DeliveryLedger;
import io.leakwatch.checkpoint.LearnedState;
import io.leakwatch.checkpoint.LearnedStateFile;
import io.leakwatch.checkpoint.LearnedStateReset;
import io.leakwatch.checkpoint.LearnedStateStore;
import io.leakwatch.checkpoint.LoginCursor;
import io.leakwatch.checkpoint.MonitoringGap;
import io.leakwatch.checkpoint.SnapshotSchedule;
import io.leakwatch.decision.Alert;
import io.leakwatch.loginpoll.LoginHistoryPoll;
import io.leakwatch.loginpoll.LoginHistorySettings;
import io.leakwatch.loginpoll.PollStanding;
import io.leakwatch.loginpoll.RecentLogins;
import io.leakwatch.pubsub.PubSubClient;
import io.leakwatch.pubsub.ReplayStart;
import io.leakwatch.response.ActionClaims;
import io.leakwatch.response.Responder;
import io.leakwatch.rest.SoqlClient;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.store.FencedOffException;
import io.leakwatch.store.FolderStateImport;
import io.leakwatch.store.SharedOrgState;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running engine: one subscription verticle per topic, one detection worker, one alert worker,
 * talking over the event bus.
 */
public final class LeakwatchEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeakwatchEngine.class);
  private final Vertx vertx;
  private final PubSubClient client;
  private final DetectionPipeline pipeline;
  private final List<SubscriptionVerticle> subscriptions;

  private Responder responder;

  private LeakwatchEngine(
      Vertx vertx,
      PubSubClient client,
      DetectionPipeline pipeline,
      List<SubscriptionVerticle> subscriptions) {
    this.vertx = vertx;
    this.client = client;
    this.pipeline = pipeline;
    this.subscriptions = subscriptions;
  }

  /**
   * Compiles the rules, connects and subscribes; returns once every subscription is open. Throws
   * with a clear message (bad rules, unknown topic, refused credentials) instead of half-starting.
   */
  public static LeakwatchEngine start(EngineSettings settings) throws Exception {
    DetectionPipeline pipeline = newPipeline(settings);
    for (String topic : settings.topics()) {
      if (!pipeline.understands(topic)) {
        pipeline.close();
        throw new IllegalArgumentException(
            "topic " + topic + ": the rule pack declares no event type for it");
      }
    }
    Durability durability = settings.durability();
    if (durability.fence() != null && !(durability.durable() && durability.shared())) {
      pipeline.close();
      throw new IllegalArgumentException(
          "org "
              + durability.fence().org()
              + ": a fence needs the org's state in the PostgreSQL store (store: {kind: postgres});"
              + " files in one node's state folder cannot be fenced");
    }
    SharedOrgState shared = null;
    try {
      if (durability.durable() && durability.shared()) {
        shared = durability.openShared();
        shared.checkFence();
        FolderStateImport.Imported imported =
            FolderStateImport.ifFirstStart(
                durability.checkpointFile(),
                durability.ledgerFile(),
                durability.learnedStateFile(),
                shared);
        if (imported != null) {
          LOG.info(
              "org {}: its state moved from the state folder into {}: {}",
              durability.org(),
              durability.store().describe(),
              imported);
        }
      }
    } catch (Exception e) {
      pipeline.close();
      closeQuietly(shared);
      throw e;
    }
    try {
      return start(settings, pipeline, shared);
    } catch (Exception e) {
      closeQuietly(shared);
      throw e;
    }
  }

  private static void closeQuietly(SharedOrgState shared) {
    if (shared != null) {
      try {
        shared.close();
      } catch (Exception ignored) {
        // Closing after a failed start: the start's failure is the one to report.
      }
    }
  }

  private static LeakwatchEngine start(
      EngineSettings settings, DetectionPipeline pipeline, SharedOrgState shared) throws Exception {
    Durability durability = settings.durability();
    Checkpoints store = null;
    DeliveryLedger ledger = null;
    Map<String, Checkpoint> checkpoints = Map.of();
    List<Alert> gaps = new ArrayList<>();
    java.util.Set<String> fallBack = new java.util.HashSet<>();
    if (durability.durable()) {
      store = durability.checkpoints(shared);
      try {
        CheckpointStore.Loaded loaded = store.loadEach();
        checkpoints = loaded.positions();
        if (!loaded.unreadable().isEmpty()) {
          String copy = store.keepCopy();
          for (Map.Entry<String, String> bad : loaded.unreadable().entrySet()) {
            String topic = bad.getKey();
            String why = bad.getValue();
            // Only this topic lost its place; the others resume where they were.
            LOG.error(
                "{}: the position of {} is unreadable ({}); a copy is in {}; starting {} from {}",
                store.describe(),
                topic,
                why,
                copy,
                topic,
                durability.fallback());
            fallBack.add(topic);
            gaps.add(
                MonitoringGap.alert(
                    topic,
                    0,
                    System.currentTimeMillis(),
                    "its position in the checkpoint file was unreadable: " + why,
                    durability.fallback().toString(),
                    settings.drill()));
          }
        }
      } catch (CheckpointStore.CorruptCheckpointException e) {
        // A copy, not a move: the file stays until the first save replaces it, which waits behind
        // the gap alerts below. A crash before they are delivered finds it again and raises them
        // again; moved away, the next start would find no checkpoint and raise nothing.
        String aside = store.keepCopy();
        LOG.error(
            "{}; kept a copy in {} and starting every topic from {}",
            e.getMessage(),
            aside,
            durability.fallback());
        for (String topic : settings.topics()) {
          fallBack.add(topic);
          gaps.add(
              MonitoringGap.alert(
                  topic,
                  0,
                  System.currentTimeMillis(),
                  "the checkpoint file was unreadable: " + e.getMessage(),
                  durability.fallback().toString(),
                  settings.drill()));
        }
      }
      ledger = durability.ledger(shared);
    }
    SnapshotSchedule snapshots = null;
    LearnedStateStore learnedFile = null;
    LoginCursor learnedCursor = null;
    if (durability.durable() && pipeline.keepsLearnedState()) {
      learnedFile = durability.learnedState(shared);
      Restored restored;
      try {
        restored = restoreLearned(settings, pipeline, learnedFile, checkpoints, fallBack, gaps);
      } catch (Exception e) {
        pipeline.close();
        throw e;
      }
      pipeline = restored.pipeline();
      checkpoints = restored.checkpoints();
      learnedCursor = restored.loginHistory();
      Map<String, LearnedState.Position> start = new java.util.LinkedHashMap<>();
      for (String topic : settings.topics()) {
        Checkpoint c = fallBack.contains(topic) ? null : checkpoints.get(topic);
        start.put(
            topic,
            c == null || c.resumeAfter() == null
                ? new LearnedState.Position(null, 0)
                : new LearnedState.Position(c.resumeAfter(), c.resumeEventTime()));
      }
      snapshots = new SnapshotSchedule(durability.resumeHorizonMillis(), start);
    }
    LoginHistorySettings poll = settings.loginHistory();
    RecentLogins recentLogins = null;
    PollStanding pollStanding = null;
    long pollFrom = 0;
    Path cursorFile = null;
    if (poll.enabled()) {
      LoginCursor cursor = null;
      if (durability.durable()) {
        cursorFile = LoginCursor.file(durability.stateDir());
      }
      if (learnedCursor != null) {
        // The tables were restored as of that snapshot: the poll resumes where it stood then, so
        // the logins it delivered since are read again and those before are not. The cursor file
        // (saved every round, and node-local) is newer than the tables.
        cursor = learnedCursor;
        LOG.info(
            "the LoginHistory poll resumes from the learned state's cursor ({}, {} logins taken)",
            java.time.Instant.ofEpochMilli(cursor.readUpTo()),
            cursor.seen().size());
      } else if (cursorFile != null) {
        try {
          cursor = LoginCursor.load(cursorFile);
        } catch (java.io.IOException e) {
          Path aside = LoginCursor.quarantine(cursorFile);
          LOG.error(
              "{}; moved it to {}; the LoginHistory poll starts {} back",
              e.getMessage(),
              aside,
              poll.lookback());
          gaps.add(
              MonitoringGap.alert(
                  TopicTypes.LOGIN_HISTORY,
                  0,
                  System.currentTimeMillis(),
                  "the LoginHistory cursor was unreadable: " + e.getMessage(),
                  "lookback " + poll.lookback(),
                  settings.drill()));
        }
      }
      recentLogins = cursor == null ? new RecentLogins() : new RecentLogins(cursor.seen());
      pollFrom =
          cursor != null
              ? cursor.readUpTo()
              : System.currentTimeMillis() - poll.lookback().toMillis();
      pollStanding = new PollStanding(recentLogins, pollFrom);
    }
    Vertx vertx = Vertx.vertx();
    Messages.registerCodecs(vertx);
    // The first grant is fetched here, so bad OAuth settings fail the start with a clear message.
    settings.tokens().current();
    PubSubClient client =
        new PubSubClient(settings.endpoint(), () -> settings.tokens().current().credentials());
    List<SubscriptionVerticle> subscriptions = new ArrayList<>();
    LoginHistoryPoll loginPoll = null;
    Responder responder = null;
    AlertVerticle alertVerticle;
    FenceAlarm alarm = new FenceAlarm();
    try {
      if (settings.response().enabled()) {
        responder = Responder.open(settings.response(), settings.tokens());
        if (durability.shared() && ledger != null) {
          // Several nodes may own the org in turn: an action is requested once across them, and
          // never by a node that lost the lease.
          responder.claimingIn(ActionClaims.in(ledger));
        }
        await(vertx.deployVerticle(new ResponseVerticle(responder)));
      }
      DeploymentOptions worker =
          new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER).setInstances(1);
      alertVerticle =
          new AlertVerticle(settings.sinks(), ledger, store, checkpoints)
              .whenFencedOff(alarm)
              .countRefusalsIn(pipeline.stats());
      await(vertx.deployVerticle(alertVerticle, worker));
      gaps.forEach(gap -> vertx.eventBus().publish(Messages.ALERTS, gap));
      await(
          vertx.deployVerticle(
              new DetectionVerticle(
                      pipeline,
                      poll.enabled() ? withLoginHistory(settings.topics()) : settings.topics(),
                      settings.maxWaitMillis(),
                      durability.journalProcessed() && durability.durable()
                          ? durability.journalFile()
                          : null,
                      recentLogins,
                      pollWait(settings))
                  .keepLearnedState(snapshots, learnedFile, settings.drill(), alertVerticle::gaveUp)
                  .snapshotLoginPoll(snapshots == null ? null : pollStanding)
                  .boundEventTime(new EventTimeBound(settings.maxAheadMillis()))
                  .whenFencedOff(alarm),
              worker));
      for (String topic : settings.topics()) {
        ReplayStart start = fallBack.contains(topic) ? durability.fallback() : settings.start();
        SubscriptionVerticle subscription =
            new SubscriptionVerticle(
                    client,
                    settings.tokens(),
                    topic,
                    start,
                    checkpoints.get(topic),
                    durability,
                    settings.maxBacklog(),
                    settings.drill())
                .boundEventTime(new EventTimeBound(settings.maxAheadMillis()));
        await(vertx.deployVerticle(subscription));
        subscriptions.add(subscription);
      }
      if (poll.enabled()) {
        SoqlClient soql =
            new SoqlClient(
                settings.tokens(),
                TrustedCertificates.httpClient(poll.trustCertificate()),
                poll.apiVersion(),
                poll.timeout(),
                poll.batchSize());
        loginPoll =
            new LoginHistoryPoll(
                    soql,
                    new EventBusInput(vertx, settings.drill()),
                    poll,
                    pollStanding,
                    cursorFile)
                .boundEventTime(new EventTimeBound(settings.maxAheadMillis()))
                // A restart resumes the streams from learned state up to two horizons old.
                .keepForStreamReplay(
                    durability.durable() ? 2 * durability.resumeHorizonMillis() : 0);
        await(vertx.deployVerticle(loginPoll));
        LOG.info(
            "polling LoginHistory every {} from {}",
            poll.interval(),
            java.time.Instant.ofEpochMilli(pollFrom));
      }
    } catch (Exception e) {
      client.close();
      await(vertx.close());
      if (ledger != null) {
        ledger.close();
      }
      if (responder != null) {
        responder.close();
      }
      throw e;
    }
    LeakwatchEngine engine = new LeakwatchEngine(vertx, client, pipeline, subscriptions);
    engine.activePack = settings.pack();
    engine.drill = settings.drill();
    engine.responder = responder;
    engine.alertVerticle = alertVerticle;
    engine.sinkStallMillis = settings.sinkStallMillis();
    engine.sinks = List.copyOf(settings.sinks());
    engine.loginPoll = loginPoll;
    engine.recentLogins = recentLogins;
    engine.shared = shared;
    engine.alarm = alarm;
    alarm.engine(engine);
    return engine;
  }

  /**
   * Where a write refused for a lost lease is reported, by whichever worker met it first: the
   * engine stops its streams (nothing more is processed or delivered here) and tells its listeners.
   */
  private static final class FenceAlarm implements java.util.function.Consumer<FencedOffException> {
    private final List<java.util.function.Consumer<FencedOffException>> listeners =
        new java.util.concurrent.CopyOnWriteArrayList<>();
    private FencedOffException first;
    private LeakwatchEngine engine;

    @Override
    public void accept(FencedOffException e) {
      synchronized (this) {
        if (first != null) {
          return;
        }
        first = e;
      }
      stopIfStarted();
      listeners.forEach(listener -> listener.accept(e));
    }

    void engine(LeakwatchEngine started) {
      synchronized (this) {
        engine = started;
      }
      stopIfStarted();
    }

    private void stopIfStarted() {
      LeakwatchEngine stop;
      synchronized (this) {
        stop = first == null ? null : engine;
      }
      if (stop != null) {
        stop.stopStreams();
      }
    }

    synchronized FencedOffException first() {
      return first;
    }

    void listen(java.util.function.Consumer<FencedOffException> listener) {
      listeners.add(listener);
      FencedOffException already = first();
      if (already != null) {
        listener.accept(already);
      }
    }
  }

  private volatile SharedOrgState shared;
  private volatile FenceAlarm alarm;
  private final java.util.concurrent.atomic.AtomicBoolean streamsStopped =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** Closes every stream (and the LoginHistory poll): this node no longer processes the org. */
  private void stopStreams() {
    if (!streamsStopped.compareAndSet(false, true)) {
      return;
    }
    for (SubscriptionVerticle subscription : subscriptions) {
      if (subscription.deploymentID() != null) {
        vertx.undeploy(subscription.deploymentID());
      }
    }
    if (loginPoll != null && loginPoll.deploymentID() != null) {
      vertx.undeploy(loginPoll.deploymentID());
    }
  }

  /**
   * The write refused because this node lost the org's lease, or null while it holds it (always
   * null without a fence). Once set the engine has stopped processing and delivering; close it.
   */
  public FencedOffException fencedOff() {
    return alarm == null ? null : alarm.first();
  }

  /**
   * Calls {@code listener} once if this engine is fenced off (at once if it already is): a write of
   * the org's checkpoint, ledger or learned state was refused because another node holds the org's
   * lease now. By then the engine has stopped its streams and delivers nothing more; the caller
   * closes it. Called on an engine thread: do not block it.
   */
  public void onFencedOff(java.util.function.Consumer<FencedOffException> listener) {
    alarm.listen(listener);
  }

  /**
   * @param loginHistory the LoginHistory poll's cursor saved with the restored tables, or null when
   *     none was restored
   */
  private record Restored(
      DetectionPipeline pipeline, Map<String, Checkpoint> checkpoints, LoginCursor loginHistory) {}

  /**
   * Puts the saved learned state back into the pipeline and makes every topic resume from where it
   * stood when that state was taken, so no event is counted twice or skipped. What cannot be put
   * back is moved aside or left empty, logged, and alerted (which table, and why); never a failed
   * start. A pack whose durable tables cannot be saved at all fails the start (a pack error).
   */
  private static Restored restoreLearned(
      EngineSettings settings,
      DetectionPipeline pipeline,
      LearnedStateStore file,
      Map<String, Checkpoint> checkpoints,
      java.util.Set<String> fallBack,
      List<Alert> alerts)
      throws java.io.IOException {
    try {
      pipeline.durableShapes();
    } catch (RuntimeException e) {
      pipeline.close();
      throw e;
    }
    LearnedState learned;
    try {
      learned = file.load();
    } catch (LearnedStateFile.UnreadableStateException e) {
      // Kept in place until the next save, which waits behind the alert (see the checkpoint's).
      String aside = file.keepCopy();
      LOG.error(
          "{}; kept a copy in {}; the rules' learned tables start empty", e.getMessage(), aside);
      alerts.add(
          LearnedStateReset.alert(
              "every learned table",
              e.getMessage() + "; a copy is in " + aside,
              System.currentTimeMillis(),
              settings.drill()));
      return new Restored(pipeline, checkpoints, null);
    }
    if (learned == null) {
      return new Restored(pipeline, checkpoints, null);
    }
    List<String> reset;
    try {
      reset = pipeline.restore(learned);
    } catch (RuntimeException e) {
      // A value that does not fit its column: the pipeline is half restored, so start a clean one.
      pipeline.close();
      String aside = file.keepCopy();
      LOG.error(
          "{}: the saved learned state does not fit the rules ({}); kept a copy in {}; the rules'"
              + " learned tables start empty",
          file.describe(),
          e.toString(),
          aside);
      alerts.add(
          LearnedStateReset.alert(
              "every learned table",
              "the saved learned state does not fit the rules: " + e.getMessage(),
              System.currentTimeMillis(),
              settings.drill()));
      return new Restored(newPipeline(settings), checkpoints, null);
    }
    for (String why : reset) {
      LOG.warn("learned table {}", why);
      alerts.add(
          LearnedStateReset.alert(
              why.substring(0, why.indexOf(':')),
              why,
              System.currentTimeMillis(),
              settings.drill()));
    }
    Map<String, Checkpoint> resumed = new java.util.LinkedHashMap<>(checkpoints);
    learned
        .positions()
        .forEach(
            (topic, p) -> {
              Checkpoint c = checkpoints.get(topic);
              if (fallBack.contains(topic)
                  || !settings.topics().contains(topic)
                  || (p.after() == null && c != null)) {
                // No event of this topic had been processed at the saved instant, but it has a
                // position now: resume there (its events between are not in the tables, none
                // twice), so a position the server rejects is still reported as a gap.
                return;
              }
              resumed.put(
                  topic,
                  new Checkpoint(
                      topic,
                      p.after(),
                      p.eventTime(),
                      c == null ? p.after() : c.lastProcessed(),
                      c == null ? p.eventTime() : c.lastEventTime()));
            });
    LOG.info(
        "restored learned state of {} tables as of event time {} from {}; {}",
        learned.tables().size() - reset.size(),
        java.time.Instant.ofEpochMilli(learned.eventTime()),
        file.describe(),
        // No positions: a seed from stored history (profile discover), not a restart.
        learned.positions().isEmpty()
            ? "a seed from stored history: topics start as configured"
            : "topics resume from there");
    return new Restored(pipeline, resumed, learned.loginHistory());
  }

  private static DetectionPipeline newPipeline(EngineSettings settings) {
    return new DetectionPipeline(
        settings.pack(),
        settings.profile(),
        new DetectionPipeline.Options(
            settings.idleAfterMillis(), settings.drill(), settings.deadLetters()));
  }

  /**
   * How long the LoginHistory poll may hold the streams back while its LoginTime does not move on
   * (a quiet hour has no logins): the stall allowance, at most ten rounds and never under 2 s.
   */
  private static long pollWait(EngineSettings settings) {
    if (settings.loginHistory().holdStreams()) {
      return settings.maxWaitMillis(); // a drill: its results must not depend on speed
    }
    return Math.min(
        settings.maxWaitMillis(),
        Math.max(2_000, 10 * settings.loginHistory().interval().toMillis()));
  }

  /** The streams and the LoginHistory poll: detection merges them all in event-time order. */
  private static List<String> withLoginHistory(List<String> topics) {
    List<String> all = new ArrayList<>(topics);
    all.add(TopicTypes.LOGIN_HISTORY);
    return all;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  /**
   * Compiles {@code pack} and, if it compiles, swaps it in without dropping an event; otherwise the
   * running rules stay and the exception says what is wrong (file and line). Blocks the caller, so
   * never call it on a Vert.x thread.
   */
  public void reload(RulePack pack) throws Exception {
    await(reloadAsync(pack));
  }

  private Future<String> reloadAsync(RulePack pack) {
    return vertx
        .executeBlocking(() -> CompiledPack.compile(pack), false)
        .compose(
            compiled ->
                vertx
                    .eventBus()
                    .<String>request(
                        Messages.RELOAD,
                        compiled,
                        new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(120_000)))
        .map(
            reply -> {
              activePack = pack;
              LOG.warn(
                  "rules reloaded: {} {} ({} rules, sha256 {})",
                  pack.name(),
                  pack.version(),
                  pack.rules().size(),
                  pack.sha256());
              return pack.sha256();
            });
  }

  /** Whether this engine watches a drill org (its alerts are marked drill). */
  public boolean drill() {
    return drill;
  }

  private volatile boolean drill;

  /** The rule pack running now. */
  public RulePack activePack() {
    return activePack;
  }

  /**
   * Reloads the rules folder whenever its content changes, checking every {@code periodMillis}. A
   * pack that does not compile is reported once and the running rules stay.
   */
  public void watchRules(java.nio.file.Path dir, long periodMillis) {
    rulesWatch =
        vertx.setPeriodic(
            periodMillis,
            id -> {
              if (checkingRules || closed) {
                return;
              }
              checkingRules = true;
              vertx
                  .executeBlocking(
                      () -> io.leakwatch.rulepack.RulePackLoader.fromDirectory(dir), false)
                  .compose(
                      candidate -> {
                        if (candidate.sha256().equals(activePack.sha256())
                            || candidate.sha256().equals(lastRejected)) {
                          return Future.succeededFuture();
                        }
                        return reloadAsync(candidate)
                            .onFailure(
                                e -> {
                                  lastRejected = candidate.sha256();
                                  LOG.error(
                                      "rules in {} changed but were not loaded; the previous rules keep running:\n{}",
                                      dir,
                                      e.getMessage());
                                });
                      })
                  .onFailure(
                      e -> LOG.error("rules in {} could not be read: {}", dir, e.getMessage()))
                  .onComplete(done -> checkingRules = false);
            });
  }

  private volatile AlertVerticle alertVerticle;
  private volatile boolean checkingRules;
  private volatile boolean closed;
  private volatile long rulesWatch = -1;
  private volatile RulePack activePack;
  private volatile String lastRejected = "";

  public PipelineStats stats() {
    return pipeline.stats();
  }

  /**
   * Wall time (epoch millis) positions were last saved to the checkpoint file, 0 before the first
   * save.
   */
  public long lastCheckpointSave() {
    return alertVerticle.lastCheckpointSave();
  }

  private volatile long sinkStallMillis = EngineSettings.DEFAULT_SINK_STALL_MILLIS;
  private volatile List<AlertSink> sinks = List.of();

  /**
   * The state of each sink that delivers through a spool (webhook, Slack, syslog, Salesforce): its
   * {@code accept} returns once the alert is spooled, so a receiver that is away shows here, not as
   * a delivery stall.
   */
  public List<SpooledAlertSink.Stats> spooledSinkStats() {
    return sinks.stream().map(AlertSink::spoolStats).filter(Objects::nonNull).toList();
  }

  /**
   * Why this engine is not consuming and committing now, empty when it is: positions that cannot be
   * saved, or alert delivery stuck on a sink (or the ledger) for longer than allowed; or a spooled
   * sink whose receiver has not taken an alert for that long, refuses alerts for good, or whose
   * delivery thread stopped (see {@link SinkProblems}).
   */
  public List<String> commitProblems() {
    List<String> problems = new ArrayList<>();
    FencedOffException fenced = fencedOff();
    if (fenced != null) {
      problems.add("fenced off: " + fenced.getMessage());
    }
    long now = System.currentTimeMillis();
    long saveFailing = alertVerticle.checkpointFailingSince();
    if (saveFailing != 0) {
      problems.add("checkpoint cannot be saved for " + (now - saveFailing) / 1000 + " s");
    }
    long stalled = alertVerticle.deliveryStalledSince();
    if (stalled != 0 && now - stalled >= sinkStallMillis) {
      problems.add("alert delivery stalled for " + (now - stalled) / 1000 + " s");
    }
    String deadLetters = pipeline.stats().deadLetterProblem();
    if (deadLetters != null) {
      problems.add(deadLetters);
    }
    for (SpooledAlertSink.Stats sink : spooledSinkStats()) {
      problems.addAll(SinkProblems.of(sink, now, sinkStallMillis));
    }
    return problems;
  }

  public List<SubscriptionVerticle> subscriptions() {
    return List.copyOf(subscriptions);
  }

  /**
   * Events confirmed processed across all subscriptions and the LoginHistory poll; a login both
   * delivered counts once.
   */
  public long processed() {
    long streams = subscriptions.stream().mapToLong(SubscriptionVerticle::processed).sum();
    if (loginPoll == null) {
      return streams;
    }
    return streams + loginPoll.delivered() - recentLogins.duplicates();
  }

  private volatile LoginHistoryPoll loginPoll;
  private volatile RecentLogins recentLogins;

  /** The LoginHistory poll, or null when it is off. */
  public LoginHistoryPoll loginHistoryPoll() {
    return loginPoll;
  }

  /** Logins refused because the other source (stream or LoginHistory) had delivered them. */
  public long duplicateLogins() {
    return recentLogins == null ? 0 : recentLogins.duplicates();
  }

  /**
   * Moves event time to {@code eventTime} on the detection thread and waits until every alert that
   * releases has been handed to the sinks' queue. Used at the end of a finite replay.
   */
  public long advanceClock(long eventTime) throws Exception {
    Long now =
        await(
            vertx
                .eventBus()
                .<Long>request(Messages.CLOCK, new Messages.ClockTick(eventTime))
                .map(m -> m.body()));
    return now;
  }

  /** Waits until the alert worker has drained what was published before this call. */
  public void drainAlerts() throws Exception {
    // A clock round trip first: the detection worker has then published everything it decided.
    advanceClock(Long.MIN_VALUE);
    await(vertx.eventBus().request(Messages.ALERTS_FLUSH, "flush"));
  }

  /**
   * The response actions (pending approvals, approve, reject, history), or null when they are off.
   */
  public Responder responder() {
    return responder;
  }

  @Override
  public void close() throws Exception {
    // The rules watcher would otherwise schedule blocking work on a closing Vert.x (and log a
    // rejection).
    closed = true;
    if (rulesWatch >= 0) {
      vertx.cancelTimer(rulesWatch);
    }
    // Streams first: nothing new arrives while detection finishes the batch in hand, and no
    // subscription sends to a verticle that is already gone.
    // Each waits (bounded) for the batches it handed to detection; they drain side by side.
    List<Future<Void>> stops = new ArrayList<>();
    // Fenced off, the streams were stopped already (undeploying them twice would fail).
    boolean streamsRunning = streamsStopped.compareAndSet(false, true);
    for (SubscriptionVerticle subscription : subscriptions) {
      if (streamsRunning && subscription.deploymentID() != null) {
        stops.add(vertx.undeploy(subscription.deploymentID()));
      }
    }
    if (streamsRunning && loginPoll != null && loginPoll.deploymentID() != null) {
      stops.add(vertx.undeploy(loginPoll.deploymentID()));
    }
    try {
      await(Future.join(stops));
    } catch (Exception e) {
      LOG.warn("a subscription did not stop cleanly: {}", e.toString());
    }
    if (alertVerticle != null) {
      alertVerticle.closing();
    }
    await(vertx.close());
    client.close();
    if (responder != null) {
      responder.close();
    }
    closeQuietly(shared);
  }
}
