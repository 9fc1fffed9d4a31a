package io.leakwatch.sim.scenario;

import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** The scenario library, and the timeline of a simulated day with scenarios injected. */
public final class Scenarios {
  private Scenarios() {}

  /** The built-in library: the scenario files under {@code simulator/scenarios}. */
  public static List<Scenario> all() {
    return ScenarioLibrary.builtIn();
  }

  /**
   * Scenarios whose rule learns from history kept in the engine's memory (a baseline, earlier
   * logins): a restart in the middle of them relearns from scratch, so crash tests leave them out.
   */
  public static boolean needsLearnedHistory(Scenario scenario) {
    return scenario.learnsHistory();
  }

  /**
   * The scenarios a command line asks for: {@code all}, {@code none} or ids separated by commas,
   * from the built-in library plus, when {@code userDir} is given, the user's own scenario files.
   */
  public static List<Scenario> select(String spec, java.nio.file.Path userDir)
      throws java.io.IOException {
    List<Scenario> library = new ArrayList<>(all());
    if (userDir != null) {
      for (Scenario own : ScenarioLibrary.fromDirectory(userDir)) {
        if (library.stream().anyMatch(s -> s.id().equals(own.id()))) {
          throw new IllegalArgumentException(
              "scenario id '" + own.id() + "' in " + userDir + " is also a built-in scenario's id");
        }
        library.add(own);
      }
    }
    if (spec == null || spec.equals("all")) {
      return List.copyOf(library);
    }
    if (spec.equals("none")) {
      return List.of();
    }
    List<Scenario> chosen = new ArrayList<>();
    for (String id : spec.split(",")) {
      chosen.add(
          library.stream()
              .filter(s -> s.id().equals(id.trim()))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "no scenario '"
                              + id.trim()
                              + "' (known: "
                              + library.stream().map(Scenario::id).toList()
                              + ")")));
    }
    return List.copyOf(chosen);
  }

  public static Scenario byId(String id) {
    return all().stream()
        .filter(s -> s.id().equals(id))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no scenario '"
                        + id
                        + "' (known: "
                        + all().stream().map(Scenario::id).toList()
                        + ")"));
  }

  /** A day's background traffic with {@code scenarios} staged in it, sorted by event time. */
  public record Timeline(List<SimEvent> events, List<InjectedScenario> injected) {}

  public static Timeline day(SimulatedOrg org, LocalDate date, List<Scenario> scenarios) {
    List<SimEvent> events = new ArrayList<>(new TrafficGenerator(org).day(date));
    Timeline staged = staged(org, date, scenarios);
    events.addAll(staged.events());
    events.sort(TrafficGenerator::byTime);
    return new Timeline(List.copyOf(events), staged.injected());
  }

  /**
   * Only the events {@code scenarios} stage on {@code date}, without background traffic, sorted by
   * event time: for a day too large to hold, whose background is generated a block at a time.
   */
  public static Timeline staged(SimulatedOrg org, LocalDate date, List<Scenario> scenarios) {
    List<SimEvent> events = new ArrayList<>();
    List<InjectedScenario> injected = new ArrayList<>();
    int n = 0;
    for (Scenario scenario : scenarios) {
      List<SimEvent> staged =
          scenario.events(
              org,
              date,
              new Random(
                  org.seed() * 131
                      + date.toEpochDay() * 1_000_033L
                      + n++ * 7_777L
                      + scenario.id().hashCode()));
      Set<String> ids = new LinkedHashSet<>();
      staged.forEach(e -> ids.add(e.eventIdentifier()));
      long first = scenario.leakStart(date, staged);
      injected.add(
          new InjectedScenario(
              scenario.id(), scenario.title(), scenario.expectedRules(), ids, first));
      events.addAll(staged);
    }
    events.sort(TrafficGenerator::byTime);
    return new Timeline(List.copyOf(events), List.copyOf(injected));
  }
}
