package io.leakwatch.drill;

import io.leakwatch.alert.AlertSink;
import io.leakwatch.auth.AccessGrant;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.decision.Alert;
import io.leakwatch.engine.DeadLetters;
import io.leakwatch.engine.EngineSettings;
import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.engine.PipelineStats;
import io.leakwatch.loginpoll.LoginHistorySettings;
import io.leakwatch.profile.OrgProfile;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.pubsub.PubSubEndpoint;
import io.leakwatch.pubsub.ReplayStart;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.sim.Playback;
import io.leakwatch.sim.org.LoginHistory;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.scenario.InjectedScenario;
import io.leakwatch.sim.scenario.Scenario;
import io.leakwatch.sim.scenario.ScenarioOutcome;
import io.leakwatch.sim.scenario.Scenarios;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.server.RestApiServer;
import io.leakwatch.sim.server.SelfSignedCertificate;
import io.leakwatch.sim.traffic.EventSchemas;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Stages scenarios in a simulated day and runs them through the real path: the simulator serves the
 * Pub/Sub protocol on loopback TLS, the engine subscribes over gRPC, alerts flow to the sinks. Ends
 * when every published event is processed, then matches alerts to scenarios.
 */
public final class LiveDrill {
  /**
   * @param users people in the simulated org
   * @param days days of background traffic from {@code date}; the scenarios are staged on the first
   *     (the later days only add traffic, where false positives would show)
   * @param playMillis wall time to play all days over (0: as fast as possible)
   */
  public record Plan(
      long seed,
      int users,
      LocalDate date,
      int days,
      List<Scenario> scenarios,
      long playMillis,
      Path workDir,
      RulePack pack) {
    public Plan(
        long seed,
        int users,
        LocalDate date,
        List<Scenario> scenarios,
        long playMillis,
        Path workDir,
        RulePack pack) {
      this(seed, users, date, 1, scenarios, playMillis, workDir, pack);
    }
  }

  /**
   * What a finished drill saw.
   *
   * @param deliveredNanos {@link System#nanoTime()} when each alert version (by {@link
   *     Alert#deliveryKey()}) reached the drill
   */
  public record Result(
      SimulatedOrg org,
      long eventsPublished,
      long eventsProcessed,
      PipelineStats stats,
      List<Alert> alerts,
      ScenarioOutcome outcome,
      long wallMillis,
      Map<String, Long> deliveredNanos) {

    /**
     * Wall time from the triggering event's receipt to the alert's delivery, or -1 when unknown.
     */
    public long latencyMillis(Alert alert) {
      Long delivered = deliveredNanos.get(alert.deliveryKey());
      if (delivered == null || alert.receivedNanos() <= 0 || delivered < alert.receivedNanos()) {
        return -1;
      }
      return (delivered - alert.receivedNanos()) / 1_000_000;
    }
  }

  static final long STALL_WAIT_MILLIS = 30_000;

  /** A day plays in seconds: the LoginHistory poll runs often to keep up. */
  static final Duration POLL_INTERVAL = Duration.ofMillis(200);

  private static final String ACCESS_TOKEN = "simulated-access-token";

  private LiveDrill() {}

  public static Result run(Plan plan, List<AlertSink> extraSinks) throws Exception {
    long startNanos = System.nanoTime();
    SimulatedOrg org = SimulatedOrg.generate(plan.seed(), plan.users());
    Scenarios.Timeline timeline = timeline(org, plan);
    Files.createDirectories(plan.workDir());
    Path profileFile = plan.workDir().resolve("org-profile.yaml");
    Files.writeString(profileFile, org.profileYaml());
    OrgProfile profile = OrgProfileLoader.load(profileFile);

    Collector collector = new Collector();
    List<AlertSink> sinks = new ArrayList<>(extraSinks);
    sinks.add(collector);
    PubSubServer.Settings settings =
        PubSubServer.Settings.defaults(org.orgId(), plan.workDir().resolve("tls"))
            .withTimers(Duration.ofSeconds(1), Duration.ofSeconds(60));
    // The org's REST API serves its LoginHistory: integration users' logins are only there.
    LoginHistory loginHistory = LoginHistory.of(org);
    SelfSignedCertificate restTls =
        SelfSignedCertificate.generate(plan.workDir().resolve("rest-tls"));
    try (PubSubServer server =
            PubSubServer.start(settings, EventSchemas.standard().byTopic(), 18_098_167L);
        RestApiServer rest =
            RestApiServer.start(restTls, ACCESS_TOKEN::equals).serving(loginHistory)) {
      // A drill's results must not depend on how busy the machine is: wait up to STALL_WAIT_MILLIS
      // for
      // a stalled topic (not 2 s as in production) so a CPU-starved stream cannot be overtaken by
      // the
      // others and have its events land late, clumped into the wrong windows. Idle topics (server
      // keepalive) still hold nothing back, so this only costs time when a stream really stalls.
      EngineSettings engineSettings =
          EngineSettings.builder()
              .endpoint(new PubSubEndpoint("localhost", server.port(), server.certificate()))
              .tokens(TokenSource.fixed(new AccessGrant(ACCESS_TOKEN, rest.url(), org.orgId())))
              .topics(EventSchemas.TOPICS)
              .start(ReplayStart.earliest())
              .profile(profile)
              .pack(plan.pack())
              .sinks(sinks)
              .deadLetters(DeadLetters.toFile(plan.workDir().resolve("dead-letters.jsonl")))
              .maxWaitMillis(STALL_WAIT_MILLIS)
              .build();
      long firstEvent = timeline.events().isEmpty() ? 0 : timeline.events().get(0).eventDate();
      engineSettings =
          engineSettings.withLoginHistory(
              LoginHistorySettings.every(POLL_INTERVAL)
                  .withTrustCertificate(restTls.certificate())
                  // Results must not depend on the play speed: the streams wait for the poll, and
                  // the simulated org writes every login as it happens (nothing to settle).
                  .holdingStreams()
                  .withSettle(Duration.ZERO)
                  // The simulated day lies in the past: the first poll reads from its start.
                  .withLookback(
                      Duration.ofMillis(
                          Math.max(0, System.currentTimeMillis() - firstEvent)
                              + Duration.ofDays(1).toMillis())));
      try (LeakwatchEngine engine = LeakwatchEngine.start(engineSettings)) {
        Playback playback =
            new Playback(server, timeline.events(), plan.playMillis(), loginHistory);
        Thread player = new Thread(playback, "simulator-playback");
        player.start();
        player.join();
        // The day is over and the org's clock goes on: the poll reads past its last second.
        loginHistory.advanceTo(
            timeline.events().get(timeline.events().size() - 1).eventDate()
                + Duration.ofHours(2).toMillis());
        awaitProcessed(engine, playback.published(), Duration.ofMinutes(5));
        long lastEvent = timeline.events().get(timeline.events().size() - 1).eventDate();
        // Close every window the day opened, as the next day's traffic would.
        engine.advanceClock(lastEvent + Duration.ofHours(2).toMillis());
        engine.drainAlerts();
        List<Alert> alerts = collector.alerts();
        return new Result(
            org,
            playback.published(),
            engine.processed(),
            engine.stats(),
            alerts,
            ScenarioOutcome.match(timeline.injected(), alerts),
            (System.nanoTime() - startNanos) / 1_000_000,
            collector.deliveredNanos());
      }
    }
  }

  /** The first day with the scenarios staged, then background days, in event order. */
  private static Scenarios.Timeline timeline(SimulatedOrg org, Plan plan) {
    Scenarios.Timeline first =
        knownByLoginHistoryId(Scenarios.day(org, plan.date(), plan.scenarios()));
    if (plan.days() <= 1) {
      return first;
    }
    List<io.leakwatch.sim.traffic.SimEvent> events = new ArrayList<>(first.events());
    for (int d = 1; d < plan.days(); d++) {
      events.addAll(Scenarios.day(org, plan.date().plusDays(d), List.of()).events());
    }
    events.sort(io.leakwatch.sim.traffic.TrafficGenerator::byTime);
    return new Scenarios.Timeline(List.copyOf(events), first.injected());
  }

  /**
   * A login read from LoginHistory is known by its LoginHistory Id (the object has no
   * EventIdentifier): each scenario's logins are known by both.
   */
  private static Scenarios.Timeline knownByLoginHistoryId(Scenarios.Timeline timeline) {
    java.util.Map<String, String> historyIds = new java.util.HashMap<>();
    for (io.leakwatch.sim.traffic.SimEvent event : timeline.events()) {
      if (event.topic().equals(EventSchemas.LOGIN)
          && event.record().getSchema().getField("LoginHistoryId") != null
          && event.record().get("LoginHistoryId") != null) {
        historyIds.put(event.eventIdentifier(), event.record().get("LoginHistoryId").toString());
      }
    }
    List<InjectedScenario> injected = new ArrayList<>();
    for (InjectedScenario scenario : timeline.injected()) {
      java.util.Set<String> ids = new java.util.LinkedHashSet<>(scenario.eventIds());
      scenario.eventIds().stream().map(historyIds::get).filter(id -> id != null).forEach(ids::add);
      injected.add(
          new InjectedScenario(
              scenario.id(),
              scenario.title(),
              scenario.expectedRules(),
              ids,
              scenario.firstEventTime()));
    }
    return new Scenarios.Timeline(timeline.events(), List.copyOf(injected));
  }

  private static void awaitProcessed(LeakwatchEngine engine, long expected, Duration timeout)
      throws InterruptedException, IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (engine.processed() < expected) {
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "engine processed "
                + engine.processed()
                + " of "
                + expected
                + " events within "
                + timeout);
      }
      Thread.sleep(20);
    }
  }

  private static final class Collector implements AlertSink {
    private final List<Alert> alerts = new ArrayList<>();
    private final Map<String, Long> deliveredNanos = new java.util.HashMap<>();

    @Override
    public synchronized void accept(Alert alert) {
      deliveredNanos.putIfAbsent(alert.deliveryKey(), System.nanoTime());
      alerts.add(alert);
    }

    synchronized List<Alert> alerts() {
      return List.copyOf(alerts);
    }

    synchronized Map<String, Long> deliveredNanos() {
      return Map.copyOf(deliveredNanos);
    }
  }

  /** Alerts per rule, for summaries; an escalated alert counts once, whatever its revisions. */
  public static Map<String, Long> alertsByRule(List<Alert> alerts) {
    Map<String, Long> counts = new java.util.TreeMap<>();
    alerts.stream()
        .filter(a -> a.revision() == 1)
        .forEach(a -> counts.merge(a.ruleId(), 1L, Long::sum));
    return counts;
  }
}
