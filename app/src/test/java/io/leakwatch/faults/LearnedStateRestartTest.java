package io.leakwatch.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.leakwatch.decision.Alert;
import io.leakwatch.engine.DeadLetters;
import io.leakwatch.engine.DetectionPipeline;
import io.leakwatch.harness.AlertsFile;
import io.leakwatch.harness.ProcessedJournalFile;
import io.leakwatch.harness.RunProcess;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.pubsub.ReceivedEvent;
import io.leakwatch.pubsub.ReplayId;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.rulepack.TestPacks;
import io.leakwatch.sim.Playback;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.scenario.ScenarioOutcome;
import io.leakwatch.sim.scenario.Scenarios;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the rules learn survives a SIGKILL: the engine, a real process, learns eight days of a small
 * simulated org, is killed, restarts, and on day nine a clinician's slow leak (LW-014, which needs
 * five whole days of baseline) and a sign-in from a new country (LW-013) raise exactly the alerts a
 * run without the kill raises. (Deleting the saved learned state before the restart makes the slow
 * leak go unseen: the baseline is gone. LearnedStateTest keeps that control, in process.)
 */
@org.junit.jupiter.api.Tag("faults")
class LearnedStateRestartTest {
  private static final LocalDate LEAK_DAY = LocalDate.of(2026, 3, 10);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> TOPICS =
      List.of("/event/ApiEventStream", "/event/LoginEventStream");

  @TempDir Path root;
  private RunProcess engine;

  @AfterEach
  void stopEngine() throws InterruptedException {
    if (engine != null) {
      engine.close();
    }
  }

  private final List<String> phases = java.util.Collections.synchronizedList(new ArrayList<>());

  private void phase(String what, long since) {
    phases.add(what + " " + (System.nanoTime() - since) / 1_000_000 + " ms");
  }

  @Test
  void eightDaysLearnedSurviveASigkillAndDayNinesLeaksRaiseWhatTheyWouldWithoutIt()
      throws Exception {
    SimulatedOrg org = SimulatedOrg.generate(13, 20);
    Scenarios.Timeline leakDay =
        Scenarios.day(
            org,
            LEAK_DAY,
            List.of(
                Scenarios.byId("chunked-slow-exfiltration"),
                Scenarios.byId("login-from-new-country")));
    List<SimEvent> all = new ArrayList<>(leakDay.events());
    // Her reads on the six workdays before (from Mar 2, eight days back) come with the scenario;
    // the whole org's traffic is played for the last two of them, which keeps the test quick.
    for (LocalDate day = LEAK_DAY.minusDays(2); day.isBefore(LEAK_DAY); day = day.plusDays(1)) {
      all.addAll(new TrafficGenerator(org).day(day));
    }
    // The two streams the learning rules read: fewer streams to merge keeps the test quick.
    all.removeIf(e -> !TOPICS.contains(e.topic()));
    all.sort(TrafficGenerator::byTime);
    long midnight = LEAK_DAY.atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
    List<SimEvent> learned = all.stream().filter(e -> e.eventDate() < midnight).toList();
    List<SimEvent> dayNine = all.stream().filter(e -> e.eventDate() >= midnight).toList();

    long started = System.nanoTime();
    Set<String> clean = withoutRestart(org, all);
    long cleanMillis = (System.nanoTime() - started) / 1_000_000;
    Set<String> killed = play(org, leakDay, learned, dayNine);
    System.out.printf(
        "learned state across SIGKILL: %d events from %s learned, %d on day nine; alerts: %d"
            + " without a restart, %d killed after day eight and restarted (%d differ);"
            + " reference run %d ms, process run %d ms (%s)%n",
        learned.size(),
        java.time.Instant.ofEpochMilli(learned.get(0).eventDate()),
        dayNine.size(),
        clean.size(),
        killed.size(),
        difference(clean, killed).size(),
        cleanMillis,
        (System.nanoTime() - started) / 1_000_000 - cleanMillis,
        phases);
    assertTrue(clean.stream().anyMatch(a -> a.startsWith("LW-014")), clean.toString());
    assertTrue(clean.stream().anyMatch(a -> a.startsWith("LW-013")), clean.toString());
    assertEquals(clean, killed, "alerts differ after the SIGKILL");
  }

  /**
   * The reference: the same events, in event-time order, through the engine's pipeline in this
   * process, never restarted. (A second engine process would double the test's time; the pipeline
   * is the one the process runs, and the engine merges the streams into this order.)
   */
  private Set<String> withoutRestart(SimulatedOrg org, List<SimEvent> events) throws Exception {
    Path profile = Files.createTempFile("profile", ".yaml");
    Files.writeString(profile, org.profileYaml());
    Set<String> out = new TreeSet<>();
    try (DetectionPipeline pipeline =
        new DetectionPipeline(
            RulePackLoader.fromDirectory(learningRules()),
            OrgProfileLoader.load(profile),
            new DetectionPipeline.Options(0, false, DeadLetters.none()))) {
      long n = 0;
      for (SimEvent e : events) {
        GenericRecord record = EventSchemas.standard().asPublished(e);
        ReceivedEvent received =
            new ReceivedEvent(
                e.topic(),
                ReplayId.of(java.nio.ByteBuffer.allocate(8).putLong(++n).array()),
                e.eventIdentifier(),
                EventSchemas.standard().idOf(record.getSchema()),
                record,
                null,
                System.nanoTime());
        for (Alert a : pipeline.process(received, System.currentTimeMillis())) {
          out.add(a.ruleId() + " " + a.principal() + " " + a.id());
        }
      }
    } finally {
      Files.delete(profile);
    }
    return out;
  }

  /** The default pack with only its rules that learn, and what all rules share. */
  private Path learningRules() throws IOException {
    Path pack = TestPacks.copyDefaultPack(root.resolve("learning-rules"));
    try (var entries = Files.list(pack)) {
      for (Path entry : entries.toList()) {
        String name = entry.getFileName().toString();
        if (Files.isDirectory(entry)
            && !name.equals("new-country-login")
            && !name.equals("slow-exfiltration")) {
          try (var files = Files.walk(entry)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
              Files.delete(f);
            }
          }
        }
      }
    }
    return pack;
  }

  private static Set<String> difference(Set<String> a, Set<String> b) {
    Set<String> out = new TreeSet<>(a);
    out.addAll(b);
    Set<String> both = new HashSet<>(a);
    both.retainAll(b);
    out.removeAll(both);
    return out;
  }

  /**
   * Plays the eight days, kills the engine once they are processed, restarts it, plays day nine;
   * returns the alerts (rule, principal, id), each checked to be delivered once.
   */
  private Set<String> play(
      SimulatedOrg org, Scenarios.Timeline leakDay, List<SimEvent> learned, List<SimEvent> dayNine)
      throws Exception {
    Path dir = Files.createDirectories(root.resolve("engine"));
    Files.writeString(dir.resolve("profile.yaml"), org.profileYaml());
    try (PubSubServer server =
        PubSubServer.start(
            PubSubServer.Settings.defaults(org.orgId(), dir.resolve("tls"))
                .withTimers(Duration.ofSeconds(1), Duration.ofSeconds(60)),
            EventSchemas.standard().byTopic(),
            5_000)) {
      Path config = dir.resolve("leakwatch.yaml");
      Files.writeString(
          config,
          """
          org:
            endpoint: {host: localhost, port: %d, trustCertificate: %s}
            auth: {accessToken: test-token, instanceUrl: %s, tenantId: %s}
            topics: [%s]
            replay: earliest
            journalProcessed: true
            stallWaitSeconds: 5
            profile: profile.yaml
          alerts: {console: false, jsonl: alerts.jsonl}
          deadLetters: dead-letters.jsonl
          state: state
          """
              .formatted(
                  server.port(),
                  server.certificate(),
                  org.instanceUrl(),
                  org.orgId(),
                  String.join(", ", TOPICS)));
      long t0 = System.nanoTime();
      engine = start(dir, config, 0);
      new Playback(server, learned, 0).run();
      awaitProcessed(dir, engine, learned);
      phase("eight days learned", t0);
      {
        // The state saved trails event time by one to two resume horizons (1 h by default).
        long lastLearned = learned.get(learned.size() - 1).eventDate();
        awaitLearnedState(dir, lastLearned - 2 * 3_600_000L);
        engine.kill(); // SIGKILL: no shutdown hook, nothing saved at the end
        engine = start(dir, config, 1);
      }
      new Playback(server, dayNine, 0).run();
      List<SimEvent> everything = new ArrayList<>(learned);
      everything.addAll(dayNine);
      awaitProcessed(dir, engine, everything);
      phase("killed, restarted, day nine", t0);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!ScenarioOutcome.match(leakDay.injected(), alerts(dir)).allDetected()
          && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      engine.stop(30); // SIGTERM: graceful
      List<Alert> alerts = alerts(dir);
      Set<String> described = new TreeSet<>();
      Set<String> keys = new HashSet<>();
      for (Alert a : alerts) {
        assertTrue(keys.add(a.deliveryKey()), "delivered twice: " + a.deliveryKey());
        described.add(a.ruleId() + " " + a.principal() + " " + a.id());
      }
      return described;
    }
  }

  private static RunProcess start(Path dir, Path config, int run) throws IOException {
    return RunProcess.start(dir, config, dir.resolve("engine-" + run + ".log"));
  }

  private static void awaitProcessed(Path dir, RunProcess engine, List<SimEvent> events)
      throws Exception {
    Set<String> wanted = new HashSet<>();
    events.forEach(e -> wanted.add(e.eventIdentifier()));
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!journaled(dir).containsAll(wanted)) {
      assertTrue(engine.isAlive(), "engine died: " + log(dir));
      assertTrue(System.nanoTime() < deadline, "events never processed: " + log(dir));
      Thread.sleep(100);
    }
  }

  private static void awaitLearnedState(Path dir, long asOf) throws Exception {
    Path file = dir.resolve("state/learned-state.json");
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      if (Files.exists(file) && JSON.readTree(file.toFile()).path("eventTime").asLong() >= asOf) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "learned state never saved: " + log(dir));
      Thread.sleep(100);
    }
  }

  private static String log(Path dir) throws IOException {
    StringBuilder out = new StringBuilder();
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
        String text = Files.readString(f);
        out.append(f.getFileName())
            .append(":\n")
            .append(text, Math.max(0, text.length() - 3000), text.length());
      }
    }
    return out.toString();
  }

  private static Set<String> journaled(Path dir) {
    return ProcessedJournalFile.ids(dir.resolve("state/processed-events.log"));
  }

  private static List<Alert> alerts(Path dir) {
    return AlertsFile.read(dir.resolve("alerts.jsonl"));
  }
}
