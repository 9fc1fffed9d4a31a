package io.leakwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.auth.AccessGrant;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.checkpoint.LearnedState;
import io.leakwatch.checkpoint.LearnedStateFile;
import io.leakwatch.decision.Alert;
import io.leakwatch.engine.Durability;
import io.leakwatch.engine.EngineSettings;
import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.pubsub.PubSubEndpoint;
import io.leakwatch.pubsub.ReplayStart;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.sim.Playback;
import io.leakwatch.sim.org.OrgMetadata;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.org.StoredEvents;
import io.leakwatch.sim.scenario.Scenario;
import io.leakwatch.sim.scenario.ScenarioOutcome;
import io.leakwatch.sim.scenario.Scenarios;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.server.RestApiServer;
import io.leakwatch.sim.server.SelfSignedCertificate;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No week of blindness: a simulated org whose stored events hold ten days of history (a clinician's
 * usual 40 patient rows a day, a scheduler's sign-ins from the office) is discovered with {@code
 * profile discover}, which seeds the org's learned state; an engine started on that state, on its
 * very first day of watching, catches the clinician's slow leak (LW-014), the scheduler's sign-in
 * from a new address and another clinician's from a new country (LW-013), and raises nothing for
 * everyone's usual sign-ins and reads. The same engine started without the seed misses all three.
 */
class ProfileSeedTest {
  static final LocalDate DAY = LocalDate.of(2026, 3, 10);
  static final int DAYS = 10;
  static final String TOKEN = "seed-token";
  static final List<String> TOPICS = List.of("/event/ApiEventStream", "/event/LoginEventStream");

  @TempDir static Path dir;
  static SimulatedOrg org;
  static RestApiServer rest;
  static PubSubServer pubsub;
  static StoredEvents stored;
  static Scenarios.Timeline day;
  static List<SimEvent> firstDay;
  static String output;
  static int exit;
  static int callsSeen;
  static int firstExit;
  static boolean published;

  @BeforeAll
  static void discoverAndSeed() throws Exception {
    org = SimulatedOrg.generate(13, 60);
    // A sign-in from a new country with no same-day sign-ins before it: only the history knows
    // where she usually is.
    Path own = Files.createDirectories(dir.resolve("scenarios"));
    Files.writeString(
        own.resolve("first-day-new-country.yaml"),
        """
        id: first-day-new-country
        title: A clinician signs in from a country she never signed in from, on the first day watched
        expect: [LW-013]
        learnsHistory: true
        actors:
          clinician: {role: clinician, pick: 5}
        steps:
          - event: login
            actor: clinician
            at: "14:20"
            from: 5.2.77.146
            leak: true
            fields:
              Country: Romania
              CountryIso: RO
        """);
    List<Scenario> scenarios =
        Scenarios.select(
            "chunked-slow-exfiltration,login-from-new-address,first-day-new-country", own);
    day = Scenarios.day(org, DAY, scenarios);
    // The scenarios' earlier working days (her usual reads, the scheduler's office sign-ins) are
    // history: in the stored events, never on the streams the engine watches.
    stored = new StoredEvents(org, DAY, DAYS, Scenarios.staged(org, DAY, scenarios).events());
    firstDay =
        day.events().stream()
            .filter(e -> e.eventDate() >= stored.end() && TOPICS.contains(e.topic()))
            .toList();
    SelfSignedCertificate restTls = SelfSignedCertificate.generate(dir.resolve("rest-tls"));
    rest =
        RestApiServer.start(restTls, TOKEN::equals)
            .servingOrg(org.orgId(), OrgMetadata.of(org), stored);
    pubsub =
        PubSubServer.start(
            PubSubServer.Settings.defaults(org.orgId(), dir.resolve("tls")),
            EventSchemas.standard().byTopic(),
            5_000);
    // A first onboarding: the profile the configuration names does not exist yet.
    Path config = dir.resolve("leakwatch.yaml");
    Files.writeString(
        config,
        """
        state: state/
        orgs:
          - name: sim
            endpoint: {host: localhost, port: %d, trustCertificate: %s}
            auth: {accessToken: %s, instanceUrl: "%s", tenantId: %s}
            topics: [/event/ApiEventStream, /event/LoginEventStream]
            profile: org-profile.yaml
            loginHistory: {trustCertificate: %s}
        alerts: {console: false}
        """
            .formatted(
                pubsub.port(),
                pubsub.certificate().toAbsolutePath(),
                TOKEN,
                rest.url(),
                org.orgId(),
                restTls.certificate().toAbsolutePath()));
    output = discover("--days", String.valueOf(DAYS));
    callsSeen = rest.calls().size();
    firstExit = exit;
    System.out.println(output);
  }

  static String discover(String... more) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<String> args =
        new ArrayList<>(
            List.of(
                "profile",
                "discover",
                "--config",
                dir.resolve("leakwatch.yaml").toString(),
                "--org",
                "sim",
                "--out",
                dir.resolve("org-profile.yaml").toString(),
                "--skip-topics"));
    args.addAll(List.of(more));
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    exit = Leakwatch.execute(args, print, print);
    return out.toString(StandardCharsets.UTF_8);
  }

  @AfterAll
  static void stop() throws Exception {
    rest.close();
    pubsub.close();
  }

  static Path seedFile() {
    return dir.resolve("state/sim/learned-state.json");
  }

  @Test
  void discoverSeedsTheLearnedStateAndSaysWhatItLearnedFrom() throws Exception {
    assertEquals(0, firstExit, output);
    assertTrue(output.contains("learned state: seeded " + seedFile()), output);
    assertTrue(output.contains("rows learned: {LW-013/PersonAddresses="), output);
    // The calls it prints are the calls the org answered: discovery's, then the seed's.
    assertEquals(calls("Discovered org .* in (\\d+) REST calls") + seedCalls(output), callsSeen);
    LearnedState seed = new LearnedStateFile(seedFile()).load();
    assertTrue(seed.positions().isEmpty(), "a seed has no topic positions");
    assertEquals(stored.end(), seed.eventTime());
    assertFalse(seed.tables().get("LW-014/PhiBaseline").rows().isEmpty());
    // Ids, counts, addresses and countries; never a query, a record or a patient's name.
    String json = Files.readString(seedFile());
    for (String never : List.of("SELECT", "FirstName", "Birthdate", "Records")) {
      assertFalse(json.contains(never), never);
      assertFalse(output.contains(never), never);
    }
  }

  static int calls(String pattern) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(pattern).matcher(output);
    assertTrue(m.find(), pattern + " in " + output);
    return Integer.parseInt(m.group(1));
  }

  static int seedCalls(String out) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("learned state: seeded .* in (\\d+) REST calls")
            .matcher(out);
    assertTrue(m.find(), out);
    return Integer.parseInt(m.group(1));
  }

  @Test
  void aRequestLimitUsedUpWhileSeedingIsExitSixAndLeavesTheLearnedStateAsItWas() throws Exception {
    byte[] before = Files.readAllBytes(seedFile());
    // Discovery's calls pass, and the seed's field list and first two days; then the limit.
    rest.failAfter(
        calls("Discovered org .* in (\\d+) REST calls") + 3, 1, 403, "REQUEST_LIMIT_EXCEEDED");
    String failed = discover("--days", String.valueOf(DAYS), "--reseed");
    assertEquals(6, exit, failed);
    assertTrue(failed.contains("seeding the learned state: reading stored"), failed);
    assertTrue(failed.contains("REQUEST_LIMIT_EXCEEDED"), failed);
    assertTrue(failed.contains("org-profile.yaml was written"), failed);
    assertFalse(failed.contains("\tat "), "no stack trace");
    assertEquals(new String(before), Files.readString(seedFile()));
  }

  @Test
  void aSecondDiscoverNeverReplacesLearnedStateUnlessAskedTo() throws Exception {
    byte[] before = Files.readAllBytes(seedFile());
    String again = discover("--days", "6");
    assertEquals(0, exit, again);
    assertTrue(again.contains("not seeded, " + seedFile() + " exists"), again);
    assertEquals(new String(before), Files.readString(seedFile()));
  }

  @Test
  void theFirstDayCatchesTheSlowLeakAndTheNewAddressOnlyWithTheSeed() throws Exception {
    Path seeded = Files.createDirectories(dir.resolve("seeded"));
    Files.copy(seedFile(), seeded.resolve("learned-state.json"));
    List<Alert> withSeed = firstDay(seeded);
    ScenarioOutcome outcome = ScenarioOutcome.match(day.injected(), withSeed);
    assertTrue(
        outcome.allDetected(),
        "missed: "
            + outcome.results().stream().filter(r -> !r.detected()).map(r -> r.scenario().id()));
    assertEquals(
        List.of(),
        outcome.unexplained().stream().map(a -> a.ruleId() + " " + a.principal()).toList(),
        "usual sign-ins and reads raise nothing");

    List<Alert> without = firstDay(Files.createDirectories(dir.resolve("fresh")));
    assertEquals(
        List.of(),
        without.stream()
            .filter(a -> a.ruleId().equals("LW-013") || a.ruleId().equals("LW-014"))
            .map(a -> a.ruleId() + " " + a.principal())
            .toList(),
        "without the seed, the first day is blind");
  }

  /** Runs an engine on {@code state} over the first day of watching; returns its alerts. */
  private List<Alert> firstDay(Path state) throws Exception {
    List<Alert> alerts = new java.util.concurrent.CopyOnWriteArrayList<>();
    synchronized (ProfileSeedTest.class) {
      if (!published) {
        new Playback(pubsub, firstDay, 0).run();
        published = true;
      }
    }
    try (LeakwatchEngine engine =
        LeakwatchEngine.start(
            EngineSettings.builder()
                .endpoint(new PubSubEndpoint("localhost", pubsub.port(), pubsub.certificate()))
                .tokens(TokenSource.fixed(new AccessGrant(TOKEN, org.instanceUrl(), org.orgId())))
                .topics(TOPICS)
                .start(ReplayStart.earliest())
                .profile(OrgProfileLoader.load(dir.resolve("org-profile.yaml")))
                .pack(RulePackLoader.defaultPack())
                .sinks(List.of(alerts::add))
                .maxBacklog(5_000)
                .durability(
                    new Durability(
                        state,
                        ReplayStart.earliest(),
                        Durability.DEFAULT_HORIZON_MILLIS,
                        Durability.DEFAULT_STALE_MILLIS,
                        false))
                .build())) {
      Await.until(() -> engine.processed() >= firstDay.size(), "the first day processed");
      engine.advanceClock(
          firstDay.get(firstDay.size() - 1).eventDate() + Duration.ofHours(2).toMillis());
      engine.drainAlerts();
    }
    return List.copyOf(alerts);
  }
}
