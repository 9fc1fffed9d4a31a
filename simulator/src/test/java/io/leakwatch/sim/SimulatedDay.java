package io.leakwatch.sim;

import io.leakwatch.alert.AlertSink;
import io.leakwatch.auth.AccessGrant;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.decision.Alert;
import io.leakwatch.engine.DeadLetters;
import io.leakwatch.engine.Durability;
import io.leakwatch.engine.EngineSettings;
import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.pubsub.PubSubEndpoint;
import io.leakwatch.pubsub.ReplayStart;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.scenario.ScenarioOutcome;
import io.leakwatch.sim.scenario.Scenarios;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The fixture the engine-against-simulator tests share: a small simulated org's day with every leak
 * scenario in it, served by a real Pub/Sub server (TLS, gRPC) in {@code dir}, and engines over it
 * that collect their alerts here.
 */
public final class SimulatedDay implements AutoCloseable {
  private final Path dir;
  private final SimulatedOrg org;
  private final Scenarios.Timeline timeline;
  private final PubSubServer.Settings serverSettings;
  private PubSubServer server;
  private final List<Alert> alerts = new ArrayList<>();

  private SimulatedDay(Path dir, Duration keepAlive) throws IOException {
    this.dir = dir;
    this.org = SimulatedOrg.generate(5, 200);
    this.timeline = Scenarios.day(org, LocalDate.of(2026, 3, 10), Scenarios.all());
    this.serverSettings =
        PubSubServer.Settings.defaults(org.orgId(), dir.resolve("tls"))
            .withTimers(keepAlive, Duration.ofSeconds(120));
    Files.writeString(dir.resolve("profile.yaml"), org.profileYaml());
  }

  /** The day, and a server sending keepalives every {@code keepAlive} on a quiet stream. */
  public static SimulatedDay serve(Path dir, Duration keepAlive) throws Exception {
    SimulatedDay day = new SimulatedDay(dir, keepAlive);
    day.server = day.startServer(day.serverSettings);
    return day;
  }

  /**
   * Stops the server and starts another with {@code change} applied to its settings, on the same
   * bus: what was published stays, under its replay ids.
   */
  public PubSubServer restartServer(java.util.function.UnaryOperator<PubSubServer.Settings> change)
      throws Exception {
    int port = server.port();
    server = server.restart(change.apply(serverSettings.withPort(port)));
    return server;
  }

  private PubSubServer startServer(PubSubServer.Settings settings) throws Exception {
    return PubSubServer.start(settings, EventSchemas.standard().byTopic(), 1_000);
  }

  public PubSubServer server() {
    return server;
  }

  public SimulatedOrg org() {
    return org;
  }

  public Scenarios.Timeline timeline() {
    return timeline;
  }

  public List<SimEvent> events() {
    return timeline.events();
  }

  /** The org's own token, fixed. */
  public TokenSource tokens() {
    return TokenSource.fixed(new AccessGrant("token", org.instanceUrl(), org.orgId()));
  }

  /** State in {@code dir/state}, every processed event journaled, from the earliest event. */
  public Durability durability(long staleAfterMillis, long reconnectCeilingMillis) {
    return new Durability(
        dir.resolve("state"),
        ReplayStart.earliest(),
        Durability.DEFAULT_HORIZON_MILLIS,
        staleAfterMillis,
        true,
        reconnectCeilingMillis);
  }

  /** An engine on the server, with the server's own certificate and token. */
  public LeakwatchEngine engine(Durability durability) throws Exception {
    return engine(
        new PubSubEndpoint("localhost", server.port(), server.certificate()),
        tokens(),
        durability,
        1_000);
  }

  /** An engine that collects its alerts into {@link #alerts()}. */
  public LeakwatchEngine engine(
      PubSubEndpoint endpoint, TokenSource tokens, Durability durability, int maxBacklog)
      throws Exception {
    return engine(
        endpoint,
        tokens,
        durability,
        maxBacklog,
        alert -> {},
        EngineSettings.DEFAULT_SINK_STALL_MILLIS);
  }

  /**
   * An engine on this day's server with default durability that delivers to {@code sink} first,
   * then collects into {@link #alerts()}; delivery may stall on a sink for {@code sinkStallMillis}
   * before {@code /ready} says so.
   */
  public LeakwatchEngine engineDeliveringTo(AlertSink sink, long sinkStallMillis) throws Exception {
    return engine(
        new PubSubEndpoint("localhost", server.port(), server.certificate()),
        tokens(),
        durability(Durability.DEFAULT_STALE_MILLIS, Durability.DEFAULT_RECONNECT_CEILING_MILLIS),
        1_000,
        sink,
        sinkStallMillis);
  }

  /**
   * An engine that delivers to {@code sink} first, then collects into {@link #alerts()}; delivery
   * may stall on a sink for {@code sinkStallMillis} before {@code /ready} says so.
   */
  public LeakwatchEngine engine(
      PubSubEndpoint endpoint,
      TokenSource tokens,
      Durability durability,
      int maxBacklog,
      AlertSink sink,
      long sinkStallMillis)
      throws Exception {
    return LeakwatchEngine.start(
        EngineSettings.builder()
            .endpoint(endpoint)
            .tokens(tokens)
            .topics(EventSchemas.TOPICS)
            .start(ReplayStart.earliest())
            .profile(OrgProfileLoader.load(dir.resolve("profile.yaml")))
            .pack(RulePackLoader.defaultPack())
            .sinks(
                List.of(
                    sink,
                    alert -> {
                      synchronized (alerts) {
                        alerts.add(alert);
                      }
                    }))
            .deadLetters(DeadLetters.toFile(dir.resolve("dead-letters.jsonl")))
            .maxBacklog(maxBacklog)
            .durability(durability)
            .sinkStallMillis(sinkStallMillis)
            .build());
  }

  /** A copy of the alerts delivered so far. */
  public List<Alert> alerts() {
    synchronized (alerts) {
      return List.copyOf(alerts);
    }
  }

  public void clearAlerts() {
    synchronized (alerts) {
      alerts.clear();
    }
  }

  /** Alerts delivered more than once (by delivery key). */
  public long duplicated() {
    Set<String> keys = new HashSet<>();
    return alerts().stream().filter(a -> !keys.add(a.deliveryKey())).count();
  }

  /** Lets every window of the day close (event time two hours past its last event) and drains. */
  public void finish(LeakwatchEngine engine) throws Exception {
    List<SimEvent> events = events();
    engine.advanceClock(events.get(events.size() - 1).eventDate() + Duration.ofHours(2).toMillis());
    engine.drainAlerts();
  }

  /** Events of the day the engine never processed (from its journal). */
  public long lost() throws IOException {
    Set<String> journaled = journaled();
    return events().stream().filter(e -> !journaled.contains(e.eventIdentifier())).count();
  }

  /** Ids of the events in the processed-events journal. */
  public Set<String> journaled() throws IOException {
    Set<String> ids = new HashSet<>();
    for (String line : Files.readAllLines(dir.resolve("state/processed-events.log"))) {
      ids.add(line.split(" ")[2]);
    }
    return ids;
  }

  /** Which injected scenarios the alerts so far detected. */
  public ScenarioOutcome outcome() {
    return ScenarioOutcome.match(timeline.injected(), alerts());
  }

  /**
   * For each scenario the alerts missed: whether each of its events was journaled (processed) and
   * any dead letter written for it, and the alerts its expected rules did raise (ids, times and
   * evidence ids only), so a test that fails on a miss says where the event went.
   */
  public String whyMissed() throws IOException {
    Path deadLetters = dir.resolve("dead-letters.jsonl");
    List<String> letters = Files.exists(deadLetters) ? Files.readAllLines(deadLetters) : List.of();
    Set<String> journaled = journaled();
    StringBuilder why = new StringBuilder();
    for (ScenarioOutcome.Result result : outcome().results()) {
      if (result.detected()) {
        continue;
      }
      why.append("missed ").append(result.scenario().id()).append(':');
      for (String id : result.scenario().eventIds()) {
        why.append("\n  event ")
            .append(id)
            .append(journaled.contains(id) ? " journaled" : " NOT journaled");
        letters.stream()
            .filter(l -> l.contains(id))
            .forEach(l -> why.append("\n    dead letter ").append(l));
      }
      for (Alert alert : alerts()) {
        if (result.scenario().expectedRules().contains(alert.ruleId())) {
          why.append("\n  ")
              .append(alert.ruleId())
              .append(" alert ")
              .append(alert.deliveryKey())
              .append(" principal ")
              .append(alert.principal())
              .append(" first ")
              .append(alert.firstEventTime())
              .append(" detected ")
              .append(alert.detectedAt())
              .append(" evidence ")
              .append(alert.evidence());
        }
      }
      why.append('\n');
    }
    return why.toString();
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }
}
