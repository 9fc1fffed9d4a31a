package io.leakwatch.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.decision.Alert;
import io.leakwatch.engine.DetectionPipeline;
import io.leakwatch.profile.OrgProfile;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.pubsub.PayloadDecoder;
import io.leakwatch.pubsub.ReceivedEvent;
import io.leakwatch.pubsub.ReplayId;
import io.leakwatch.pubsub.SchemaCache;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.scenario.Scenario;
import io.leakwatch.sim.scenario.ScenarioOutcome;
import io.leakwatch.sim.scenario.Scenarios;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each detection fires on its scenario amid a day of background traffic, and nothing fires on the
 * background alone. Events go through Avro encoding and decoding as they would off the wire.
 */
class ScenarioDetectionTest {
  private static final LocalDate DAY = LocalDate.of(2026, 3, 10);
  private static SimulatedOrg org;
  private static OrgProfile profile;
  private static RulePack pack;

  @BeforeAll
  static void org() {
    org = SimulatedOrg.generate(21, 600);
    profile = OrgProfileLoader.parse(org.profileYaml(), "simulated");
    pack = RulePackLoader.defaultPack();
  }

  static Stream<Scenario> scenarios() {
    return Scenarios.all().stream();
  }

  @Test
  void backgroundTrafficAloneRaisesNoAlert() {
    Scenarios.Timeline timeline = Scenarios.day(org, DAY, List.of());
    List<Alert> alerts = run(timeline.events());
    assertTrue(timeline.events().size() > 4_000, "a realistic day: " + timeline.events().size());
    assertEquals(
        List.of(),
        alerts.stream().map(a -> a.ruleId() + " " + a.principal() + " " + a.reasons()).toList());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void scenarioIsDetectedByItsRuleAndNothingElseFires(Scenario scenario) {
    Scenarios.Timeline timeline = Scenarios.day(org, DAY, List.of(scenario));
    List<Alert> alerts = run(timeline.events());
    ScenarioOutcome outcome = ScenarioOutcome.match(timeline.injected(), alerts);
    assertTrue(outcome.allDetected(), scenario.id() + " missed; alerts: " + alerts);
    assertEquals(List.of(), outcome.unexplained(), "alerts no scenario explains");
    for (Alert alert : alerts) {
      assertTrue(scenario.expectedRules().contains(alert.ruleId()));
    }
    long timeToDetect = outcome.results().get(0).timeToDetectMillis();
    assertTrue(
        timeToDetect >= 0 && timeToDetect <= scenario.expectedTimeToDetect().toMillis(),
        "first alert within " + scenario.expectedTimeToDetect() + ": " + timeToDetect + " ms");
  }

  @Test
  void aScenarioFileOfTheUsersOwnIsStagedAndDetected(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Files.writeString(
        dir.resolve("night-reads.yaml"),
        """
        id: night-reads
        title: A scheduler reads patients at night from home
        expect: [LW-003]
        actors:
          scheduler: {role: scheduler, pick: 2}
        steps:
          - event: api
            actor: scheduler
            at: "22:40"
            repeat: 4
            every: 3m
            fields:
              Query: "{patientLookup Contact}"
              QueriedEntities: Contact
              RowsProcessed: 2
        """);
    List<Scenario> own = io.leakwatch.sim.scenario.ScenarioLibrary.fromDirectory(dir);
    Scenarios.Timeline timeline = Scenarios.day(org, DAY, own);
    List<Alert> alerts = run(timeline.events());
    ScenarioOutcome outcome = ScenarioOutcome.match(timeline.injected(), alerts);
    assertTrue(outcome.allDetected(), "alerts: " + alerts);
    assertEquals(List.of(), outcome.unexplained());
  }

  private static List<Alert> run(List<SimEvent> events) {
    EventSchemas schemas = EventSchemas.standard();
    PayloadDecoder decoder = new PayloadDecoder(new SchemaCache(id -> schemas.byId(id).toString()));
    List<Alert> alerts = new ArrayList<>();
    try (DetectionPipeline pipeline =
        new DetectionPipeline(
            pack,
            profile,
            new DetectionPipeline.Options(0, false, io.leakwatch.engine.DeadLetters.none()))) {
      long replay = 0;
      for (SimEvent event : events) {
        String schemaId = schemas.schemaId(event.topic());
        ReceivedEvent received;
        try {
          received =
              new ReceivedEvent(
                  event.topic(),
                  ReplayId.fromHex(String.format("%016x", ++replay)),
                  event.eventIdentifier(),
                  schemaId,
                  decoder.decode(schemaId, EventSchemas.encode(event.record())),
                  null,
                  System.nanoTime());
        } catch (Exception e) {
          throw new AssertionError(e);
        }
        alerts.addAll(pipeline.process(received, 0));
      }
      alerts.addAll(
          pipeline.advanceTo(
              events.get(events.size() - 1).eventDate() + Duration.ofHours(2).toMillis()));
      assertEquals(0, pipeline.stats().totalDeadLettered());
      assertEquals(events.size(), pipeline.stats().totalProcessed());
    }
    return alerts;
  }
}
