package io.leakwatch.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.rulepack.RuleDefinition;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.scenario.Scenario;
import io.leakwatch.sim.scenario.ScenarioException;
import io.leakwatch.sim.scenario.ScenarioFile;
import io.leakwatch.sim.scenario.ScenarioLibrary;
import io.leakwatch.sim.scenario.Scenarios;
import io.leakwatch.sim.traffic.SimEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario files: the built-in library's coverage, the format's errors, and a user's own folder.
 */
class ScenarioFileTest {
  private static final String VALID =
      """
      id: my-leak
      title: A scheduler reads two patients at night
      expect: [LW-003]
      actors:
        s: {role: scheduler, pick: 1}
      steps:
        - event: api
          actor: s
          at: "23:30"
          repeat: 2
          every: 2m
          fields:
            Query: "{patientLookup Contact}"
            QueriedEntities: Contact
            RowsProcessed: 2
      """;

  @Test
  void everyRuleOfTheDefaultPackHasAScenario() {
    Set<String> covered =
        Scenarios.all().stream()
            .flatMap(s -> s.expectedRules().stream())
            .collect(Collectors.toSet());
    Set<String> rules =
        RulePackLoader.defaultPack().rules().stream()
            .map(RuleDefinition::id)
            .collect(Collectors.toSet());
    assertTrue(
        covered.containsAll(rules),
        "rules without a scenario: " + rules.stream().filter(r -> !covered.contains(r)).toList());
    assertTrue(Scenarios.all().size() >= 16);
  }

  @Test
  void aStepBecomesEventsWithTheGivenFieldsAtTheGivenTimes() {
    SimulatedOrg org = SimulatedOrg.generate(3, 100);
    ScenarioFile scenario = ScenarioFile.parse(VALID, "my-leak.yaml");
    LocalDate day = LocalDate.of(2026, 3, 10);
    List<SimEvent> events = scenario.events(org, day, new Random(1));
    assertEquals(2, events.size());
    long first =
        java.time.ZonedDateTime.of(day, java.time.LocalTime.of(23, 30), SimulatedOrg.TIME_ZONE)
            .toInstant()
            .toEpochMilli();
    assertEquals(first, events.get(0).eventDate());
    assertEquals(first + 120_000, events.get(1).eventDate());
    assertEquals(2.0, events.get(0).record().get("RowsProcessed"));
    assertTrue(
        events.get(0).record().get("Query").toString().startsWith("SELECT"),
        "the placeholder became a patient lookup");
    assertEquals(first, scenario.leakStart(day, events));
    assertEquals("my-leak", events.get(0).scenarioId());
  }

  @Test
  void mistakesNameTheFileAndTheKey() {
    assertError(
        VALID.replace("RowsProcessed: 2", "Rows: 2"),
        "my-leak.yaml: steps[0].fields.Rows: not a field of /event/ApiEventStream");
    assertError(
        VALID.replace("event: api", "event: phoneCall"),
        "my-leak.yaml: steps[0].event: 'phoneCall' is not an event kind");
    assertError(
        VALID.replace("actor: s", "actor: t"), "my-leak.yaml: steps[0].actor: no actor 't'");
    assertError(
        VALID.replace("\"23:30\"", "\"half past eleven\""),
        "my-leak.yaml: steps[0].at: must be a time of day");
    assertError(
        VALID.replace("every: 2m", "every: soon"),
        "my-leak.yaml: steps[0].every: 'soon' is not a duration");
    assertError(
        VALID.replace("role: scheduler", "role: surgeon"),
        "my-leak.yaml: actors.s.role: 'surgeon' is not a role");
    assertError(
        VALID.replace("expect: [LW-003]", "expect: []"),
        "my-leak.yaml: expect: must list the rule ids");
    assertError(
        VALID.replace("repeat: 2", "repaet: 2"), "my-leak.yaml: steps[0].repaet: unknown key");
    assertError(VALID + "colour: red\n", "my-leak.yaml: colour: unknown key");
    ScenarioFile unknownPlaceholder =
        ScenarioFile.parse(VALID.replace("{patientLookup Contact}", "{ssn}"), "my-leak.yaml");
    ScenarioException e =
        assertThrows(
            ScenarioException.class,
            () ->
                unknownPlaceholder.events(
                    SimulatedOrg.generate(3, 100), LocalDate.of(2026, 3, 10), new Random(1)));
    assertTrue(e.getMessage().contains("unknown placeholder {ssn}"), e.getMessage());
    ScenarioFile tooFew = ScenarioFile.parse(VALID.replace("pick: 1", "pick: 999"), "my-leak.yaml");
    e =
        assertThrows(
            ScenarioException.class,
            () ->
                tooFew.events(
                    SimulatedOrg.generate(3, 100), LocalDate.of(2026, 3, 10), new Random(1)));
    assertTrue(
        e.getMessage().startsWith("my-leak.yaml: actors.s: pick 999 but the org has only"),
        e.getMessage());
  }

  @Test
  void aUserFolderLoadsItsFilesAndRefusesDuplicateIds(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.yaml"), VALID);
    Files.writeString(dir.resolve("notes.txt"), "not a scenario");
    List<Scenario> loaded = ScenarioLibrary.fromDirectory(dir);
    assertEquals(List.of("my-leak"), loaded.stream().map(Scenario::id).toList());
    Files.writeString(dir.resolve("b.yaml"), VALID);
    ScenarioException e =
        assertThrows(ScenarioException.class, () -> ScenarioLibrary.fromDirectory(dir));
    assertTrue(e.getMessage().contains("'my-leak' is also the id of"), e.getMessage());
  }

  private static void assertError(String yaml, String expectedStart) {
    ScenarioException e =
        assertThrows(ScenarioException.class, () -> ScenarioFile.parse(yaml, "my-leak.yaml"));
    assertTrue(e.getMessage().startsWith(expectedStart), e.getMessage());
  }
}
